from hflint.cli import main

main()
