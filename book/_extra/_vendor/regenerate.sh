#!/usr/bin/env bash
# Re-creates the third-party files in this folder from the npm registry (needs `npm`; nothing else
# touches the network). Run from anywhere:   bash book/_extra/_vendor/regenerate.sh
# The hand-written files (README.md, widgets-offline.js, this script) are left alone.
set -euo pipefail

MATHJAX=3.2.2          # npm: mathjax                       (Apache-2.0)
REQUIREJS=2.3.8        # npm: requirejs                     (MIT)
HTML_MANAGER=1.0.15    # npm: @jupyter-widgets/html-manager (BSD-3-Clause)
ANYWIDGET=0.11.0       # npm: anywidget (MIT); keep equal to the anywidget pin in requirements.txt

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "mathjax@$MATHJAX" "requirejs@$REQUIREJS" "@jupyter-widgets/html-manager@$HTML_MANAGER" \
  "anywidget@$ANYWIDGET" >/dev/null
for name in mathjax requirejs html-manager anywidget; do
  mkdir "$name"
  tar -xzf ./*"$name"-*.tgz -C "$name" --strip-components=1
done

rm -rf "$here/mathjax" "$here/requirejs" "$here/html-manager" "$here/anywidget"

# MathJax 3: the combined TeX-input/CommonHTML-output component, its web fonts and the TeX
# extensions that its `autoload` package fetches on demand (\boldsymbol, \cancel, \color, ...).
es5=mathjax/es5
mkdir -p "$here/mathjax/output/chtml/fonts" "$here/mathjax/input/tex" "$here/mathjax/a11y"
cp "$es5/tex-chtml.js" "$here/mathjax/"
cp "$es5/tex-svg.js" "$here/mathjax/"      # self-contained (SVG glyphs, no font files): inlined in the course's feedback HTML
cp -r "$es5/output/chtml/fonts/woff-v2" "$here/mathjax/output/chtml/fonts/"
cp -r "$es5/input/tex/extensions" "$here/mathjax/input/tex/"
rm -f "$here/mathjax/input/tex/extensions/all-packages.js"   # every package at once: never requested
cp "$es5/a11y/assistive-mml.js" "$here/mathjax/a11y/"         # loaded by the context menu's default settings
cp mathjax/LICENSE "$here/mathjax/LICENSE"

# RequireJS: the AMD loader that the widget manager's embed-amd.js needs.
mkdir -p "$here/requirejs"
cp requirejs/require.js "$here/requirejs/"

# @jupyter-widgets/html-manager: embed-amd.js bundles the manager and the core widget modules
# (base, controls, output, for ipywidgets 7 and 8); the Font Awesome icons are kept as woff2 only.
mkdir -p "$here/html-manager"
cp html-manager/dist/embed-amd.js html-manager/dist/embed.js.LICENSE.txt "$here/html-manager/"
cp html-manager/dist/*.woff2 "$here/html-manager/"
# The npm package names its licence (package.json) but ships no licence file: write the standard text.
cat > "$here/html-manager/LICENSE" <<'LICENSE'
Copyright (c) 2015 Project Jupyter Contributors
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted
provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of conditions
   and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials provided
   with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors may be used to
   endorse or promote products derived from this software without specific prior written
   permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER
IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT
OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
LICENSE

# anywidget: the front end of the live explorers (convlearn.viz.widgets). dist/index.js is one AMD
# module (it needs @jupyter-widgets/base from embed-amd.js); widgets-offline.js maps `anywidget` to it.
mkdir -p "$here/anywidget"
cp anywidget/dist/index.js "$here/anywidget/index.js"
cp anywidget/LICENSE "$here/anywidget/LICENSE"

du -sh "$here"
