#!/usr/bin/env bash
# bench/run.sh: framerpc, gRPC and a raw framed socket, side by side.
#
# Builds the load-test binaries (Release, into build/bench), then runs every
# implementation on every shape, alternating implementations, --reps times,
# each run with a fresh server process; then the idle-connection memory
# test; then prints a table of medians with the ratios framerpc/gRPC and
# framerpc/raw (computed from this run only) and which targets are met.
#
#   bench/run.sh                 # full: 3 reps, 1 s warm-up, 5 s measured
#   bench/run.sh --quick         # 1 rep, 0.5 s + 1 s, 2,000 idle connections
#   bench/run.sh --report DIR    # print the table of an earlier run again
#   options: --reps N --warmup S --duration S --idle N --no-build
#            --impls "framerpc raw grpc"
#
# Server and client are separate processes on 127.0.0.1, pinned to CPU 0
# and CPU 1 when taskset is there and the machine has two CPUs or more.
# gRPC runs only when it was built (scripts/bootstrap-bench installs it).
# Everything (raw RESULT lines, logs, table.md) is kept in
# build/bench/results/<date>/. Benchmarks, not tests: the exit code does not
# depend on the figures.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build/bench"
bin="$build/bench"

reps=3 warmup=1 duration=5 idle=10000 do_build=1 impls="" report=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) reps=1 warmup=0.5 duration=1 idle=2000 ;;
    --reps) reps=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --duration) duration=$2; shift ;;
    --idle) idle=$2; shift ;;
    --impls) impls=$2; shift ;;
    --no-build) do_build=0 ;;
    --report) report=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# ---- the table: medians per (shape, impl), ratios from the same medians ----
print_table() {
  local out=$1 results="$1/results.txt" impls_all loadavg_start loadavg_end
  # shellcheck disable=SC1091
  source "$out/meta.env"
  echo "Run of $run_date, commit $commit."
  echo "Machine: $machine."
  echo "Load average (1/5/15 min) at start: $loadavg_start; at end: $loadavg_end."
  echo "Method: $reps run(s) per cell, medians shown; warm-up ${warmup} s, measured ${duration} s; $pinning."
  echo
  awk '
    /^RESULT / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      shape = v["size"] " " v["concurrency"] " " v["connections"]
      n = split("qps p50_us p90_us p99_us p999_us client_cpu_us server_cpu_us", ms, " ")
      for (j = 1; j <= n; j++) print shape "|" v["impl"] "|" ms[j] "|" v[ms[j]]
    }' "$results" | sort -t'|' -k1,1 -k2,2 -k3,3 -k4,4g |
  awk -F'|' '
    function flush() {
      if (cnt == 0) return
      med = (cnt % 2) ? vals[(cnt + 1) / 2] : (vals[cnt / 2] + vals[cnt / 2 + 1]) / 2
      print key "|" med
    }
    { k = $1 "|" $2 "|" $3
      if (k != key) { flush(); key = k; cnt = 0 }
      vals[++cnt] = $4 }
    END { flush() }' |
  awk -F'|' -v impls="$impls_all" '
    { m[$1 "|" $2 "|" $3] = $4; if (!($1 in seen)) { seen[$1] = 1 } }
    function get(s, i, k) { return m[s "|" i "|" k] }
    function ratio(a, b) { return (b > 0 && a != "") ? sprintf("%.2f", a / b) : "-" }
    function row(s, i,   q) {
      q = get(s, i, "qps"); if (q == "") return
      printf "| %s | %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |\n", label(s), i, q,
        get(s, i, "p50_us"), get(s, i, "p90_us"), get(s, i, "p99_us"), get(s, i, "p999_us"),
        get(s, i, "client_cpu_us"), get(s, i, "server_cpu_us")
    }
    function rrow(s, a, b, name) {
      if (get(s, a, "qps") == "" || get(s, b, "qps") == "") return
      printf "| %s | **%s** | **%s** | %s | %s | %s | %s | %s | %s |\n", label(s), name,
        ratio(get(s, a, "qps"), get(s, b, "qps")),
        ratio(get(s, a, "p50_us"), get(s, b, "p50_us")), ratio(get(s, a, "p90_us"), get(s, b, "p90_us")),
        ratio(get(s, a, "p99_us"), get(s, b, "p99_us")), ratio(get(s, a, "p999_us"), get(s, b, "p999_us")),
        ratio(get(s, a, "client_cpu_us"), get(s, b, "client_cpu_us")),
        ratio(get(s, a, "server_cpu_us"), get(s, b, "server_cpu_us"))
    }
    function label(s,   p) { split(s, p, " "); return sprintf("%s B, C=%s, K=%s", p[1] >= 1024 ? (p[1] / 1024) "Ki" : p[1], p[2], p[3]) }
    END {
      split("16 1 1|16 64 4|16 512 16|1024 64 4|65536 16 4", order, "|")
      ni = split(impls, il, " ")
      print "| shape (S, C, K) | impl | QPS | p50 µs | p90 µs | p99 µs | p99.9 µs | CPU/call client µs | CPU/call server µs |"
      print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
      for (o = 1; o <= 5; o++) {
        s = order[o]; if (!(s in seen)) continue
        for (j = 1; j <= ni; j++) row(s, il[j])
        rrow(s, "framerpc", "grpc", "framerpc/gRPC")
        rrow(s, "framerpc", "raw", "framerpc/raw")
      }
      print ""
      print "Targets (framerpc = inline handlers):"
      t = "16 64 4";  check(ratio(get(t, "framerpc", "qps"), get(t, "grpc", "qps")), ">=", 10, "(16 B, C=64, K=4) QPS framerpc/gRPC")
      check(ratio(get(t, "framerpc", "qps"), get(t, "raw", "qps")), ">=", 0.3, "(16 B, C=64, K=4) QPS framerpc/raw")
      t = "16 512 16"; check(ratio(get(t, "framerpc", "qps"), get(t, "grpc", "qps")), ">=", 10, "(16 B, C=512, K=16) QPS framerpc/gRPC")
      check(ratio(get(t, "framerpc", "qps"), get(t, "raw", "qps")), ">=", 0.3, "(16 B, C=512, K=16) QPS framerpc/raw")
      t = "16 1 1";   check(ratio(get(t, "framerpc", "p50_us"), get(t, "raw", "p50_us")), "<=", 1.2, "(16 B, C=1, K=1) p50 framerpc/raw")
      t = "65536 16 4"; check(ratio(get(t, "framerpc", "qps"), get(t, "raw", "qps")), ">=", 0.8, "(64 KiB, C=16, K=4) QPS framerpc/raw")
      split("16 1 1|16 64 4|16 512 16", small, "|")
      for (x = 1; x <= 3; x++) {
        check(get(small[x], "framerpc", "client_cpu_us"), "<=", 2, "(" label(small[x]) ") CPU/call client µs", get(small[x], "raw", "client_cpu_us"))
        check(get(small[x], "framerpc", "server_cpu_us"), "<=", 2, "(" label(small[x]) ") CPU/call server µs", get(small[x], "raw", "server_cpu_us"))
      }
    }
    function check(val, op, lim, what, raw,   ok) {
      if (val == "" || val == "-") { printf "- %s: not measured\n", what; return }
      ok = (op == ">=") ? (val + 0 >= lim) : (val + 0 <= lim)
      printf "- %s = %s (target %s %s): %s%s\n", what, val, op, lim, ok ? "met" : "NOT met",
        raw != "" ? sprintf(" (raw: %s)", raw) : ""
    }'
  if grep -q '^MEMORY ' "$results"; then
    echo
    echo "| idle connections | impl | server RSS before | server RSS after | server bytes per connection | kernel TCP bytes per connection (both ends) |"
    echo "|---:|---|---:|---:|---:|---:|"
    awk '/^MEMORY / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "| %s | %s | %.1f MiB | %.1f MiB | %s | %s |\n", v["idle_connections"], v["impl"],
        v["server_rss_before"] / 1048576, v["server_rss_after"] / 1048576,
        v["server_bytes_per_connection"], v["kernel_tcp_bytes_per_connection"]
    }' "$results"
    awk '/^MEMORY impl=framerpc / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      b = v["server_bytes_per_connection"]
      printf "- framerpc server bytes per idle connection = %s (target <= 8192): %s\n", b, (b <= 8192) ? "met" : "NOT met" }' "$results"
  fi
}

if [[ -n "$report" ]]; then
  print_table "$report"
  exit 0
fi


if [[ $do_build -eq 1 ]]; then
  echo "== building into $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFRAMERPC_WERROR=ON >/dev/null
  cmake --build "$build" -j2 --target bench_load | tail -1
fi

if [[ -z "$impls" ]]; then
  impls="framerpc"
  [[ -x "$bin/grpc_echo_client" ]] && impls+=" grpc" ||
    echo "== gRPC not built (run scripts/bootstrap-bench): framerpc and raw only"
  impls+=" raw"
fi
read -r -a impl_list <<<"$impls"

server_pin=() client_pin=() pinning="none"
if command -v taskset >/dev/null && [[ $(nproc --all) -ge 2 ]]; then
  server_pin=(taskset -c 0) client_pin=(taskset -c 1)
  pinning="server on CPU 0, client on CPU 1 (taskset)"
fi

out="$build/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
results="$out/results.txt"
: >"$results"

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# start_server <impl>: sets server_pid, port, stats_port.
start_server() {
  local impl=$1 name=$1 args=()
  case "$impl" in
    framerpc) args=(--handlers inline) ;;
    framerpc-pool) name=framerpc args=(--handlers pool) ;;
  esac
  local port_file="$out/port.$impl"
  rm -f "$port_file"
  "${server_pin[@]}" "$bin/${name}_echo_server" --port_file "$port_file" \
    "${args[@]}" >>"$out/server.$impl.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s "$port_file" ]] && break
    sleep 0.1
  done
  [[ -s "$port_file" ]] || { echo "run.sh: $impl server did not start" >&2; exit 1; }
  read -r port stats_port <"$port_file"
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# run_client <impl> <args...>: prints the client's RESULT/MEMORY line.
run_client() {
  local impl=$1 name=$1
  shift
  [[ "$impl" == framerpc-pool ]] && name=framerpc
  timeout 300 "${client_pin[@]}" "$bin/${name}_echo_client" --impl "$impl" \
    --server "127.0.0.1:$port" --stats "127.0.0.1:$stats_port" "$@" \
    2>>"$out/client.$impl.log" | grep -E '^(RESULT|MEMORY) ' || true
}

shapes=("16 1 1" "16 64 4" "16 512 16" "1024 64 4" "65536 16 4")
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
cat >"$out/meta.env" <<META
run_date="$(date '+%Y-%m-%d %H:%M')"
commit="$(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc --all) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
reps="$reps" warmup="$warmup" duration="$duration" pinning="$pinning"
impls_all="${impl_list[*]} framerpc-pool"
loadavg_start="$loadavg_start"
META
echo "== $reps rep(s) x ${#shapes[@]} shapes x (${impl_list[*]}), warm-up ${warmup}s, measured ${duration}s; pinning: $pinning"
echo "== load average at start: $loadavg_start; results in $out"

n=${#impl_list[@]}
for rep in $(seq "$reps"); do
  for shape in "${shapes[@]}"; do
    read -r size conc conns <<<"$shape"
    order=()
    for i in $(seq 0 $((n - 1))); do
      order+=("${impl_list[$(((i + rep - 1) % n))]}")
    done
    # The default worker-pool mode, for one shape.
    if [[ "$shape" == "16 64 4" && " ${impl_list[*]} " == *" framerpc "* ]]; then
      order+=(framerpc-pool)
    fi
    for impl in "${order[@]}"; do
      start_server "$impl"
      line=$(run_client "$impl" --size "$size" --concurrency "$conc" \
        --connections "$conns" --warmup "${warmup}s" --duration "${duration}s")
      stop_server
      if [[ -z "$line" ]]; then
        echo "   rep $rep $impl ($size B, $conc, $conns): FAILED, see $out/client.$impl.log"
        continue
      fi
      echo "$line rep=$rep" >>"$results"
      echo "   rep $rep $(awk '{for(i=2;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
        printf "%-13s %6s B C=%-3s K=%-2s %9.0f calls/s p50 %8s us p99 %8s us cpu %s/%s us",
        v["impl"],v["size"],v["concurrency"],v["connections"],v["qps"],v["p50_us"],v["p99_us"],
        v["client_cpu_us"],v["server_cpu_us"]}' <<<"$line")"
    done
  done
done

if [[ "$idle" -gt 0 ]]; then
  echo "== memory: $idle idle connections (each served one call)"
  for impl in "${impl_list[@]}"; do
    start_server "$impl"
    line=$(run_client "$impl" --idle_connections "$idle")
    stop_server
    [[ -n "$line" ]] && echo "$line" >>"$results" && echo "   $line"
  done
fi
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
cat >>"$out/meta.env" <<META
loadavg_end="$loadavg_end"
META
print_table "$out" | tee "$out/table.md"

