"""`qbo-wizard serve`'s web side: the guard around textual-serve and the page it serves."""
