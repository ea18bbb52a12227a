"""The constructs: the voting app's stack and the pieces it is built from, a cdktf library."""
