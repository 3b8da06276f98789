#!/usr/bin/env python
"""Django's usual entry point; `caresignals` (the console script) does the same."""

from caresignals.cli import main

if __name__ == "__main__":
    main()
