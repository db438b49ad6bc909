"""The $1.00 check: post one invoice and one bill, show the result, tidy up after."""
