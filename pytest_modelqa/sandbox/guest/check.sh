# Runs a scenario's final-state checks (inside the sandbox, after the episode): each file in
# .modelqa/checks/ is one check, run by a fresh bash in work/ (nothing the model's session
# defined is loaded). One line per check: its number, exit status and output (base64, capped).
root=$PWD
for f in "$root"/.modelqa/checks/*.sh; do
  n=$(basename "$f" .sh)
  out=$(cd "$root/work" 2>/dev/null && bash "$f" </dev/null 2>&1 | head -c 2000; exit "${PIPESTATUS[0]}")
  status=$?
  printf '%s %s %s\n' "$n" "$status" "$(printf '%s' "$out" | base64 -w0)"
done
