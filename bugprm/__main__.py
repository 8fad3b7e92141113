from bugprm.cli import main

main()
