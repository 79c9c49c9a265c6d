#!/usr/bin/env bash
# Installs what the acceptance tests and benchmarks need, from Debian's packages.
# Idempotent: when everything is present it prints only "deps ok".
# Package installs must never leave a daemon running (nginx on :80, redis on :6379, ...):
# tests and benchmarks start their own instances on free loopback ports.
set -euo pipefail

log() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# group name | packages | a command that proves the group is present without dpkg
groups=(
  "ansible|ansible-core|ansible-playbook"
  "sshd|openssh-server|/usr/sbin/sshd"
  "postgresql|postgresql|"
  "redis|redis-server|redis-server"
  "nginx|nginx|/usr/sbin/nginx"
  "haproxy|haproxy|/usr/sbin/haproxy"
  "wrk|wrk|wrk"
  "caddy|caddy|caddy"
  "http-tools|curl ca-certificates|"
)
daemons=(nginx redis-server caddy haproxy)

pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

group_present() {
  local pkgs=$1 cmd=$2 p
  if [[ -n "$cmd" ]] && command -v "$cmd" >/dev/null 2>&1; then
    return 0
  fi
  for p in $pkgs; do
    pkg_installed "$p" || return 1
  done
}

missing_groups=()
missing_pkgs=()
for g in "${groups[@]}"; do
  IFS='|' read -r name pkgs cmd <<<"$g"
  if ! group_present "$pkgs" "$cmd"; then
    missing_groups+=("$g")
    for p in $pkgs; do
      pkg_installed "$p" || missing_pkgs+=("$p")
    done
  fi
done

if ((${#missing_pkgs[@]} > 0)); then
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "missing packages (${missing_pkgs[*]}) and not root; install them or run as root"
    sudo=(sudo -n)
  fi

  # Keep package scripts from starting services (invoke-rc.d and deb-systemd-invoke both
  # consult policy-rc.d; 101 = "action forbidden"). An existing policy-rc.d is put back afterwards.
  policy=/usr/sbin/policy-rc.d
  backup=""
  if [[ -e $policy ]]; then
    backup=$(mktemp /tmp/policy-rc.d.XXXXXX)
    "${sudo[@]}" cp -p "$policy" "$backup"
  fi
  restore_policy() {
    if [[ -n "$backup" ]]; then
      "${sudo[@]}" cp -p "$backup" "$policy" && rm -f "$backup"
    else
      "${sudo[@]}" rm -f "$policy"
    fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\n# written by gatewayd acctest/deps.sh while installing packages\nexit 101\n' |
    "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 0755 "$policy"

  # Daemons already running before the install are not ours to stop.
  declare -A before=()
  for d in "${daemons[@]}"; do
    for pid in $(pgrep -x "$d" 2>/dev/null || true); do before[$pid]=1; done
  done

  apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
  start=$SECONDS
  if ! out=$("${apt[@]}" update 2>&1); then
    printf '%s\n' "$out" >&2
    die "apt-get update failed"
  fi
  if ! out=$("${apt[@]}" install -y --no-install-recommends "${missing_pkgs[@]}" 2>&1); then
    printf '%s\n' "$out" >&2
    die "apt-get install ${missing_pkgs[*]} failed"
  fi

  for g in "${missing_groups[@]}"; do
    IFS='|' read -r name pkgs cmd <<<"$g"
    vers=()
    for p in $pkgs; do
      vers+=("$p=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')")
    done
    log "installed $name (${vers[*]})"
  done
  log "install took $((SECONDS - start))s"

  # Belt and braces: stop any daemon the install managed to start anyway, by pid.
  for d in "${daemons[@]}"; do
    for pid in $(pgrep -x "$d" 2>/dev/null || true); do
      if [[ -z "${before[$pid]:-}" ]]; then
        log "stopping $d (pid $pid) started by the package install"
        "${sudo[@]}" kill "$pid" 2>/dev/null || true
      fi
    done
  done

  restore_policy
  trap - EXIT
fi

# sshd refuses to start without its privilege-separation directory; /run is a tmpfs.
if [[ ! -d /run/sshd ]]; then
  if ((EUID == 0)); then mkdir -p -m 0755 /run/sshd; else sudo -n mkdir -p -m 0755 /run/sshd; fi
fi

command -v terraform >/dev/null 2>&1 ||
  die "terraform is not on PATH; the provider acceptance tests need it (install Terraform >= 1.11 and put it on PATH)"

echo "deps ok"
