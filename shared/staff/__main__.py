"""Run the staff account command: python -m shared.staff --help."""

from shared.staff.command import main

main()
