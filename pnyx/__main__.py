from pnyx.cli import main

main()
