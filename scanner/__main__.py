"""Run Rollcall as ``python -m scanner``."""

from scanner.cli.main import main

if __name__ == "__main__":
    main()
