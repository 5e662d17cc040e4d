# One command of a persistent shell session (runs inside the sandbox; the command on stdin).
# Each call is a fresh process, so the session's state is carried in files: the working
# directory, the variables (exported or not) and the functions the previous command left.
__mq_root=$PWD
__mq_state=$__mq_root/.modelqa/session
mkdir -p "$__mq_state"
__mq_cmd=$(cat)
cd "$(cat "$__mq_state/cwd" 2>/dev/null || echo "$__mq_root/work")" 2>/dev/null || cd "$__mq_root/work"
[ -f "$__mq_state/vars" ] && . "$__mq_state/vars" 2>/dev/null
__mq_save() {
  __mq_status=$?
  pwd >"$__mq_state/cwd.new" 2>/dev/null && mv -f "$__mq_state/cwd.new" "$__mq_state/cwd"
  {
    for __mq_name in $(compgen -v); do
      case $__mq_name in
        __mq_*|BASH*|SHELLOPTS|PPID|UID|EUID|GROUPS|FUNCNAME|PIPESTATUS|HOSTNAME|HOSTTYPE|OSTYPE|MACHTYPE) ;;
        SHLVL|PWD|OLDPWD|RANDOM|SRANDOM|LINENO|SECONDS|EPOCHSECONDS|EPOCHREALTIME|DIRSTACK|OPTIND|OPTERR|HISTCMD|_) ;;
        COLUMNS|LINES|COMP_WORDBREAKS|PS1|PS2|PS4) ;;
        *) declare -p "$__mq_name" 2>/dev/null | grep -v '^declare -[a-zA-Z]*r' ;;
      esac
    done
    declare -f
  } >"$__mq_state/vars.new" 2>/dev/null && mv -f "$__mq_state/vars.new" "$__mq_state/vars"
  exit $__mq_status
}
trap __mq_save EXIT
eval "$__mq_cmd" </dev/null
