#!/bin/bash
# The reset command the hung-engine test configures: it clears `baton engine serve`'s hang switch
# (what `systemctl restart vllm@N` does for a real engine). Usage: reset-baton-engine.sh URL
set -euo pipefail
hostport="${1#http://}"
host="${hostport%:*}"
port="${hostport##*:}"
exec 3<>"/dev/tcp/$host/$port"
printf 'POST /baton/resume HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' "$host" >&3
head -1 <&3 | grep -q " 200 "
