"""One module per `qbo-wizard` sub-command, each with `add_arguments(parser)` and `run(args)`."""
