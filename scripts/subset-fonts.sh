#!/usr/bin/env bash
# How shared/fonts/ was made: Noto Sans (SIL OFL 1.1, Debian's fonts-noto-core)
# subset to Latin (Basic, Latin-1, Extended-A with ĳ/Ĳ, punctuation, €), so letters render
# the same on every machine. Run once by a maintainer; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=/usr/share/fonts/truetype/noto
OUT=shared/fonts
UNICODES="U+0020-007E,U+00A0-017F,U+2010-2027,U+2030-203A,U+20AC,U+2122,U+2212,U+FB01-FB02"
for style in Regular Bold Italic; do
  uvx --from fonttools pyftsubset "$SRC/NotoSans-$style.ttf" --unicodes="$UNICODES" \
    --layout-features='kern,liga,clig,calt,ccmp,locl,mark,mkmk' --output-file="$OUT/NotoSans-$style.ttf"
done
cp /usr/share/doc/fonts-noto-core/copyright "$OUT/COPYRIGHT-Noto"
