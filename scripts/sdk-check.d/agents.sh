# Sourced by scripts/sdk-check (--agents): Codex CLI and Gemini CLI, each given a task that takes one tool call —
# create hello.txt containing "hi" — through the gateway, as a user would run them. Behind each alias is the fake
# provider, which answers a request offering the agent's own tool (exec_command, apply_patch, write_file) with a call
# to it and then, once the tool's result is back, a closing text; or the mock, which cannot call a tool, so there
# the task ends with its plain answer. A run passes when the agent exited 0, the file holds "hi" (mock: the
# answer is the mock's), the gateway accepted every request it made (all listed), and it tried nothing off
# loopback: each run has a fresh HOME and project dir, no login, telemetry, update checks or plugin syncs, and
# HTTPS_PROXY pointing at the fake, which refuses and logs any attempt to leave.
# Uses from sdk-check: $cache $work $gateway $fake $KEY, pass, fail, gateway_requests_since.

AGENT_TASK='Create the file hello.txt in the current directory containing the two letters hi.'
AGENT_DONE='Done: hello.txt now contains "hi".' # the fake's closing text: the tool result went back and the answer came through
MOCK_ANSWER='mock provider'

agent_env() { # DIR: what every agent run gets (call it in the run's subshell)
  export HOME="$1/home" XDG_CONFIG_HOME="$1/home/.config" \
    HTTPS_PROXY="$fake" HTTP_PROXY="$fake" ALL_PROXY="$fake" NO_PROXY=127.0.0.1,localhost
}

# Judges one run. MODE is "tool" (the file must exist) or "mock" (the mock's answer). MARKER / OFF_MARKER are the
# line counts of the access log and the fake's request log before the run.
agent_verdict() { # LABEL DIR EXIT_CODE MODE ANSWER MARKER OFF_MARKER
  local label=$1 dir=$2 rc=$3 mode=$4 answer=$5 marker=$6 off_marker=$7 all_ok=1 off content
  sleep 0.5 # the access log is written off the event loop
  echo "  requests $label made to the gateway:" >&2
  gateway_requests_since "$marker" || all_ok=0
  off=$(tail -n +"$((off_marker + 1))" "$work/provider-requests.jsonl" | node -e '
    const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).map(JSON.parse);
    console.log(l.filter((r) => r.offLoopback).map((r) => r.offLoopback).join(" "));')
  content=$(cat "$dir/project/hello.txt" 2>/dev/null || echo '<no hello.txt>')
  answer=$(printf '%s' "$answer" | tr '\n' ' ' | head -c 300)
  if [ "$rc" != 0 ]; then
    fail "$label: exit $rc, answer: $answer (stderr: $(tail -c 600 "$dir/stderr" | tr '\n' ' '))"
  elif [ -n "$off" ]; then
    fail "$label: tried to leave loopback: $off"
  elif [ "$all_ok" != 1 ]; then
    fail "$label: the gateway refused one of its requests (listed above); answer: $answer"
  elif [ "$mode" = mock ]; then
    if [[ "$answer" == *"$MOCK_ANSWER"* ]]; then pass "$label: answered with the mock's text: $answer"
    else fail "$label: expected the mock's answer, got: $answer"; fi
  elif [ "$(printf '%s' "$content" | tr -d '\n')" != hi ]; then
    fail "$label: hello.txt holds '$content', not hi; answer: $answer"
  elif [[ "$answer" != *"$AGENT_DONE"* ]]; then
    fail "$label: hello.txt was made but the closing answer did not come through: $answer"
  else
    pass "$label: hello.txt holds hi, answer: $answer"
  fi
}

codex_run() { # NAME ALIAS MODE [apply_patch]
  local name=$1 alias=$2 mode=$3 tools=${4:-} dir=$work/codex-$1 rc=0 marker off_marker
  mkdir -p "$dir/home" "$dir/codex-home" "$dir/project"
  # The provider entry is what a user writes. web_search: Codex offers OpenAI's hosted web search by default, which
  # the gateway refuses for other providers. The rest keeps Codex on loopback (without it, it reaches for GitHub
  # and ChatGPT: plugin and app syncs, analytics).
  cat >"$dir/codex-home/config.toml" <<TOML
model = "$alias"
model_provider = "llm-gateway"
web_search = "disabled"
check_for_update_on_startup = false

[model_providers.llm-gateway]
name = "LLM gateway"
base_url = "$gateway/v1"
env_key = "LLM_GATEWAY_KEY"
wire_api = "responses"

[analytics]
enabled = false

[features]
plugins = false
remote_plugin = false
apps = false
TOML
  if [ "$tools" = apply_patch ]; then
    # Codex knows nothing of the alias and would give it shell tools only: a catalog entry (the least Codex 0.171
    # accepts) gives it the freeform apply_patch tool, a "custom" tool whose input is one string.
    sed -i "1i model_catalog_json = \"$dir/catalog.json\"" "$dir/codex-home/config.toml"
    cat >"$dir/catalog.json" <<JSON
{"models": [{"slug": "$alias", "display_name": "$alias (LLM gateway)", "apply_patch_tool_type": "freeform",
  "shell_type": "shell_command", "context_window": 200000, "supported_reasoning_levels": [], "visibility": "list",
  "supported_in_api": true, "priority": 1, "support_verbosity": false, "experimental_supported_tools": [],
  "truncation_policy": {"mode": "tokens", "limit": 10000},
  "base_instructions": "You are a coding agent in the user's terminal: use your tools to do what the user asks."}]}
JSON
  fi
  marker=$(wc -l <"$work/access.jsonl")
  off_marker=$(wc -l <"$work/provider-requests.jsonl")
  # Codex's sandbox needs kernel features a container may lack; the run is in a throwaway dir.
  (cd "$dir/project" && agent_env "$dir" && CODEX_HOME="$dir/codex-home" LLM_GATEWAY_KEY="$KEY" \
    timeout 120 "$cache/node_modules/.bin/codex" exec --skip-git-repo-check \
    --dangerously-bypass-approvals-and-sandbox --color never -o "$dir/answer.txt" "$AGENT_TASK" \
    </dev/null >"$dir/stdout" 2>"$dir/stderr") || rc=$?
  agent_verdict "codex $name" "$dir" "$rc" "$mode" "$(cat "$dir/answer.txt" 2>/dev/null)" "$marker" "$off_marker"
}

gemini_run() { # NAME ALIAS MODE
  local name=$1 alias=$2 mode=$3 dir=$work/gemini-cli-$1 rc=0 marker off_marker answer
  mkdir -p "$dir/home/.gemini" "$dir/project"
  # "gemini-api-key" auth with GOOGLE_GEMINI_BASE_URL is how Gemini CLI takes a gateway; the rest keeps it on
  # loopback and non-interactive.
  cat >"$dir/home/.gemini/settings.json" <<JSON
{
  "security": { "auth": { "selectedType": "gemini-api-key" }, "folderTrust": { "enabled": false } },
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false }
}
JSON
  marker=$(wc -l <"$work/access.jsonl")
  off_marker=$(wc -l <"$work/provider-requests.jsonl")
  (cd "$dir/project" && agent_env "$dir" && GEMINI_API_KEY="$KEY" GOOGLE_GEMINI_BASE_URL="$gateway" \
    timeout 120 "$cache/node_modules/.bin/gemini" -m "$alias" --approval-mode yolo -o json -p "$AGENT_TASK" \
    </dev/null >"$dir/stdout" 2>"$dir/stderr") || rc=$?
  # -o json: the answer on stdout; on an error the same object goes to stderr, after the stack trace.
  answer=$(node -e '
    const fs = require("fs");
    const [out, err] = process.argv.slice(1).map((f) => fs.readFileSync(f, "utf8"));
    let r;
    try { r = JSON.parse(out) } catch { try { r = JSON.parse(err.slice(err.lastIndexOf("{\n  \"session_id\""))) } catch { } }
    console.log(r ? r.response ?? JSON.stringify(r.error) : "no JSON output")' "$dir/stdout" "$dir/stderr")
  agent_verdict "gemini-cli $name" "$dir" "$rc" "$mode" "$answer" "$marker" "$off_marker"
}

# Runs AGENT_run against the mock and each fake provider, once the agent's binary (named AGENT too) has shown it
# runs; fails when it does not.
agent_runs() { # AGENT LABEL
  local version provider
  if ! version=$(HOME=$work timeout 30 "$cache/node_modules/.bin/$1" --version 2>&1); then
    fail "$2: the binary does not run: $version"
    return 1
  fi
  echo "$2: $version" >&2
  "$1_run" mock demo mock
  for provider in anthropic:claude openai-compatible:llama gemini:gemini; do
    "$1_run" "${provider%%:*}" "${provider#*:}" tool
  done
}

if agent_runs codex "Codex CLI"; then
  codex_run anthropic-apply-patch claude tool apply_patch
  codex_run openai-compatible-apply-patch llama tool apply_patch
fi
agent_runs gemini "Gemini CLI" || true
