# Run by main.sh as `sh child.sh one two`: a second shell script read from the initrd.
echo "shell-demo: child: $# arguments, first $1, last $2"
exit 3
