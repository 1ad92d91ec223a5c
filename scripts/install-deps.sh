#!/bin/sh
# Install every Debian 12 package cvisor needs to build, test and run.
# Idempotent; skips apt-get entirely when everything is already present.
set -eu
PKGS="build-essential cmake pkg-config git
 libmicrohttpd-dev libgrpc-dev protobuf-c-compiler libprotobuf-c-dev
 protobuf-compiler-grpc libseccomp-dev libjansson-dev libcmocka-dev libcap-dev libxxhash-dev libzstd-dev
 clang libclang-rt-14-dev diod curl libcurl4-openssl-dev python3 python3-grpcio busybox-static runc
 protobuf-compiler python3-protobuf python3-yaml openssl
 perl make gcc git sqlite3 xz-utils bzip2 libpython3.11-testsuite iproute2 util-linux"
# Installed with their recommends (the set the tests were written against):
# podman drives cvisor end to end (tests/integration/runtime/oci_podman.sh).
PKGS_REC="podman"

missing=""
for p in $PKGS $PKGS_REC; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
rec=""
for p in $PKGS_REC; do
	case " $missing " in *" $p "*) rec="$rec $p" ;; esac
done
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $(for p in $missing; do
	case " $PKGS_REC " in *" $p "*) ;; *) echo "$p" ;; esac; done)
# shellcheck disable=SC2086
[ -z "$rec" ] || $SUDO apt-get install -y -q $rec
