#!/usr/bin/env bash
# Times tietopankki and Hugo (Debian's package, `apt-get install hugo`) on the same generated
# corpus, side by side in one run. The corpus's Markdown and YAML front matter go to Hugo as
# they are, with a minimal layout (title, body, taxonomy links, section lists) and the same
# facets as taxonomies; Hugo builds no search index, tietopankki does.
# Usage: benches/compare-hugo.sh CORPUS_DIR [runs]     (CORPUS_DIR from benches/gen_corpus.py)
set -euo pipefail
corpus=$(realpath "$1"); runs=${2:-3}
bin=$(realpath "$(dirname "$0")/../target/release/tietopankki")
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-hugo.XXXX")  # TMPDIR=/dev/shm: no disk in the figures
mkdir -p "$work/hugo/layouts/_default"
cp -r "$corpus/content" "$work/hugo/content"
rm -f "$work/hugo/content/vocabularies.yaml"
cat > "$work/hugo/hugo.toml" <<'TOML'
baseURL = "/"
languageCode = "fi"
title = "OT-tietopankki"
disableKinds = ["RSS"]
[taxonomies]
teema = "themes"
kohderyhma = "target_groups"
ika = "age_bands"
taso = "service_levels"
ymparisto = "settings"
toteutus = "delivery"
TOML
cat > "$work/hugo/layouts/_default/baseof.html" <<'HTML'
<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header><a href="/">Etusivu</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>
HTML
cat > "$work/hugo/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Params.summary }}</p>{{ .TableOfContents }}{{ .Content }}
<ul>{{ range $t, $_ := .Site.Taxonomies }}{{ range ($.GetTerms $t) }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}{{ end }}</ul>{{ end }}
HTML
cat > "$work/hugo/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}
HTML
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # label, command...; prints "wall_s peak_kb" per run
  local label=$1; shift
  local walls=() mems=()
  for i in $(seq "$runs"); do
    rm -rf "$work/out-$label"
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>&1
    read -r wall mem < "$work/time"; walls+=("$wall"); mems+=("$mem")
  done
  local w m files
  w=$(printf '%s\n' "${walls[@]}" | median); m=$(printf '%s\n' "${mems[@]}" | median)
  files=$(find "$work/out-$label" -type f | wc -l)
  echo "$label $w $m $files $(du -sm "$work/out-$label" | cut -f1) ${walls[*]}"
}
echo "tool median_s peak_kb files output_MB runs..."
run tietopankki "$bin" build --quiet --root "$corpus" --output "$work/out-tietopankki"
run hugo hugo --quiet --source "$work/hugo" --destination "$work/out-hugo"
rm -rf "$work"
