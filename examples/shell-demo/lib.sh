# Sourced by main.sh: defines a function in the caller's shell.
greet() { echo "hello, $1"; }
