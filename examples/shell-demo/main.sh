#!/exo/bin/sh
# shell-demo: each check prints one line "shell-demo: <what>: <result>".
# A check's result comes from the feature itself, never from a constant.
share=/exo/share/shell-demo
say() { echo "shell-demo: $*"; }

say "echo: hello from $0"
false
say "status after false: $?"
true
say "status after true: $?"
say "sh -c: $(sh -c 'echo inner')"
say "ls /exo/bin | wc -l: $(ls /exo/bin | wc -l)"
printf 'pear\napple\nfig\n' | sort | grep -v fig | while read -r fruit; do say "sorted: $fruit"; done
say "sed: $(echo banana | sed s/a/A/)"
echo x > /tmp/f
echo y >> /tmp/f
cat /tmp/f | while read -r line; do say "/tmp/f: $line"; done
say "wc -l < /tmp/f: $(wc -l < /tmp/f)"
cat "$share/fruits.txt" | while read -r line; do say "fruits.txt: $line"; done
. "$share/lib.sh"
say "sourced: $(greet sourced)"
sh "$share/child.sh" one two
say "child status: $?"
say "done"
