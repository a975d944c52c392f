#!/bin/sh
# Moves test/cluster/kube-apiserver to another Kubernetes release, e.g.
#   test/cluster/pin-staging.sh v1.36.3
# k8s.io/kubernetes replaces its k8s.io/* staging modules with ./staging/... paths that only
# resolve inside its own repository, so a module that imports it must pin each of them to the
# matching v0.X.Y release itself. This regenerates that replace block from the release's own
# go.mod, then lets go mod tidy settle everything else.
set -eu

version=${1:?usage: $0 v1.X.Y}
staging="v0.${version#v1.}"
cd "$(dirname "$0")/kube-apiserver"
export GOTOOLCHAIN=local

upstream=$(go mod download -json "k8s.io/kubernetes@$version" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
modules=$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*#\1#p' "$upstream")
[ -n "$modules" ] || { echo "no staging replaces found in $upstream" >&2; exit 1; }

# Drop the old block (this file has no other replaces) and append the new one.
awk '/^replace \($/ { skip = 1; next } skip && /^\)$/ { skip = 0; next } !skip && !/^replace k8s\.io\// { print }' go.mod >go.mod.new
{
  echo 'replace ('
  for m in $modules; do printf '\t%s => %s %s\n' "$m" "$m" "$staging"; done
  echo ')'
} >>go.mod.new
mv go.mod.new go.mod
sed -i "s/^\(\/\/ Builds kube-apiserver \)[0-9][0-9.]*/\1${version#v}/" go.mod

go mod edit -require="k8s.io/kubernetes@$version" -require="k8s.io/component-base@$staging"
go mod tidy
echo "pinned k8s.io/kubernetes $version and its staging modules at $staging"
