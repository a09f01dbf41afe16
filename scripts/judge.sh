#!/usr/bin/env bash
# The real-code judge: fetches a pinned set of published crates (none of them in memlens's own
# dependency tree), builds memlens, and judges every binding of each against rustc
# (tests/judge/main.rs). Prints a table per crate and the combined one; the JSON with every
# binding goes to target/judge/report/judge.json.
#
#   ./scripts/judge.sh            # all crates below
#   ./scripts/judge.sh semver csv # only those (by name)
#   JUDGE_SET=fresh ./scripts/judge.sh  # the fresh sample, not used while the engine was written
#   JUDGE_SET=third ./scripts/judge.sh  # a third sample, outside memlens's dependency tree
#   JUDGE_SET=fourth ./scripts/judge.sh # a fourth, outside the sets above and that tree
#   JUDGE_SET=fifth ./scripts/judge.sh  # a fifth, outside the sets above and that tree
#   JUDGE_SET=sixth ./scripts/judge.sh  # a sixth, outside the sets above and that tree
set -euo pipefail
cd "$(dirname "$0")/.."

# name version sha256 kind — the sha256 of the .crate judged on 2026-12-01 (the README baseline).
CRATES=(
  "semver     1.0.28 8a7852d02fc848982e0c167ef163aaff9cd91dc640ba85e263cb1ce46fae51cd lib"
  "base64     0.23.1 ac07cdecf99051d9a5238b80f35af32cdeba5b336e55d957b318b50137e18da5 lib"
  "indexmap   2.14.2 cc4e190f5d26ca7051642629da2c52fc03bde85a03197c99408dcd291734c855 lib"
  "textwrap   0.16.4 6ecfad6c3abc80a577f2b91c1e412ee57e7a060d430b553c1b0c940974ebcd49 lib"
  "csv        1.4.0  52cd9d68cf7efc6ddfaaee42e7288d3a99d613d4b50f76ce9827ae0c6e14f938 lib"
  "roxmltree  0.21.2 9da7f59328b09405b181fee1018925fad50f157afb43c0c0f5c522c256dd5907 lib"
  "regex-lite 0.1.9  cab834c73d247e67f4fae452806d17d3c7501756d98c8808d7c9c7aa7d18f973 lib"
  "similar    3.2.1  d2f8bec09ae8fae0f4f265a4559a9334be3929d8504e9b536df0a41302bd1733 lib"
  "pulldown-cmark 0.13.6 3db2be46835f013dd3f4fa7f5f7402c537787b54ebb6fe2b94bbdd7e2669bb7b lib+app"
  "hexyl      0.17.0 e0df0c7b9afa020673c0942ae257a938b257d79e6395d8f1b8b45898f3391c5e app"
  "sd         1.0.0  70613c41881ca1e5b69e6bb110f2ac499739c03a151b00e41e16090974b826a8 app"
  "hyperfine  1.20.0 c5fe697e6fdd7bd20438836076f8901094926ae40cf13f3f7255c1f3f085122c app"
)

# A second sample, judged only to measure (README's second table).
FRESH=(
  "humantime  2.1.0  9a3a5bfb195931eeb336b2a7b4d761daec841b97f947d34394601737a7bba5e4 lib"
  "glob       0.3.1  d2fabcfbdc87f4758337ca535fb41a6d701b65693ce38287d856d1674551ec9b lib"
  "walkdir    2.5.0  29790946404f91d9c5d06f9874efddea1dc06c5efe94541a7d6863108e3a5e4b lib"
  "lru        0.12.5 234cf4f4a04dc1f57e24b96cc0cd600cf2af460d4161ac5ecdd0af8e1f3b2a38 lib"
  "arrayvec   0.7.6  7c02d123df017efcdfbd739ef81735b36c5ba83ec3c59c80a9d7ecc718f92e50 lib"
  "shlex      1.3.0  0fda2ff0d084019ba4d7c6f371c95d8fd75ce3524c3cb8fb653a3023f6323e64 lib"
  "slotmap    1.0.7  dbff4acf519f630b3a3ddcfaea6c06b42174d9a44bc70c620e9ed1649d58b82a lib"
  "choose     1.3.6  fcfc9ef810169673de79dba30494ebc3b529e07a59b9e7bcfc9aa1ac222d3467 app"
  "tokei      12.1.2 a41f915e075a8a98ad64a5f7be6b7cc1710fc835c5f07e4a3efcaeb013291c00 app"
)

# A third sample, judged only to measure: none in either set above nor in memlens's Cargo.lock.
THIRD=(
  "either        1.19.0 0e9c71c2167ca323c882b99918929403426e2373ea17242ff5653e0d5e1058be lib"
  "data-encoding 2.11.1 4583a4551df46e2792f82ceeac45e850d2e2d5debba0b91f102385cda5b11f06 lib"
  "thin-vec      0.2.21 d6a4b9ba8738cb4a4f399d37e266becfd475e75eb73425b87a05a2f2039ba63e lib"
  "termcolor     1.4.1  06794f8f6c5c898b3275aebefa6b8a1cb24cd2c6c79397ab15774837a0bc5755 lib"
  "miniz_oxide   0.9.1  b63fbc4a50860e98e7b2aa7804ded1db5cbc3aff9193adaff57a6931bf7c4b4c lib"
  "zoxide        0.10.0 88592ccf9081e6a3f915f785357c1a70c05c52ce0637afb5f9b67161eefc050c app"
  "du-dust       1.2.7  f03ee50cf880da85dce8d1bc8e005c906498fb4754512998823f6ef9ae7d997c app"
  "grex          1.4.6  4ada730ccbcaf2eaaf9d254661960b0211e042e031e307ba8fd39821307f46dd lib+app"
)
# A fourth sample, judged only to measure: none in the sets above nor in memlens's Cargo.lock.
FOURTH=(
  "json          0.12.4 078e285eafdfb6c4b434e0d31e8cfcb5115b651496faca5749b88fafd4f23bfd lib"
  "fixedbitset   0.5.9  5905ec755cc8386d7928353e4d356d2be3e89e81e5ca01fe630a1ca4d08dc175 lib"
  "num-integer   0.1.47 7ce2d95d4b3734dc35aa2f45e1aa22cd416814592a4f9d9205e11affd5b8e10b lib"
  "unicase       2.10.0 357cc3acc6a036009fd6c973ed009037c732d60d0b4f6c673e9041497482a28f lib"
  "xmlparser     0.13.6 66fee0b777b0f5ac1c69bb06d361268faafa61cd4682ae064a171c16c433e9e4 lib"
  "shellharden   4.3.2  3314a0d9051fe21f4b2c356ff7711eabff56460938d0c1c81f9cad916f74245c app"
  "hx            0.7.1  47dea75b3c39be632152149751e8f9972a838283c06d25363f4f5aef6d28cc76 lib+app"
  "cargo-wipe    0.4.0  ef64cbfb7869ab5828b893c0b63b79dfbc235f64f633a9c4f46d028c850324cd app"
)
# A fifth sample, judged only to measure: none in the sets above nor in memlens's Cargo.lock.
FIFTH=(
  "rust-ini      0.21.3 796e8d2b6696392a43bea58116b667fb4c29727dc5abd27d6acf338bb4f688c7 lib"
  "tinyjson      2.5.1  9ab95735ea2c8fd51154d01e39cf13912a78071c2d89abc49a7ef102a7dd725a lib"
  "num-rational  0.4.2  f83d14da390562dca69fc84082e73e548e1ad308d24accdedd2720017cb37824 lib"
  "bimap         0.6.3  230c5f1ca6a325a32553f8640d31ac9b49f2411e901e427570154868b46da4f7 lib"
  "priority-queue 2.7.0 93980406f12d9f8140ed5abe7155acb10bb1e69ea55c88960b9c2f117445ef96 lib"
  "diskus        0.9.0  ec07379c016f78e7ddcd953663b9ed17928ff384928d34d824ed7e463bd3d908 lib+app"
  "vivid         0.10.1 584441e19afc6f69296bb877fe6951ee61939f5cb9376e219470e7769cfdd6f7 app"
  "pastel        0.12.0 60c08ad0192cd8ba04db7617ab5535089f5cef907b7d09214fb449d68d569b65 lib+app"
)
# A sixth sample, judged only to measure: none in the sets above nor in memlens's Cargo.lock.
SIXTH=(
  "ordered-float 5.5.1  7f59006ce1e204c30956638535b74d317bca99477b9356dfaec54c37f6f600ab lib"
  "bytesize      2.7.0  7354288c522e7e980fafd2075d63d1285794c3a6a16cdd492f189ea406e5f18b lib"
  "bs58          0.5.1  bf88ba1141d185c399bee5288d850d63b8369520c1eafc32a0430b5b6c287bf4 lib"
  "hex           0.4.3  7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70 lib"
  "rangemap      1.9.0  f2d43a8c8c74056248124068fde0df374d1ddf9039e747d190f01c36faeaab08 lib"
  "sha1_smol     1.0.1  bbfa15b3dddfee50a0fff136974b3e1bde555604ba463834a7eb7deb6417705d lib"
  "kondo         0.9.0  e10af8622c8c9793b339a865bd2cdb0fc41abf1ab143375d6eb442562931fa9b app"
  "diffr         0.1.5  2bce780c69b328928a1c18d63d3a20a76bf0b81c5982d00e8e4debf04a7bb6cd app"
  "tre-command   0.4.0  86c9b172f1d4e642462fac9530cc349259d35a81155e981403cadda4df99b891 app"
)
if [ "${JUDGE_SET:-}" = fresh ]; then
  CRATES=("${FRESH[@]}")
elif [ "${JUDGE_SET:-}" = third ]; then
  CRATES=("${THIRD[@]}")
elif [ "${JUDGE_SET:-}" = fourth ]; then
  CRATES=("${FOURTH[@]}")
elif [ "${JUDGE_SET:-}" = fifth ]; then
  CRATES=("${FIFTH[@]}")
elif [ "${JUDGE_SET:-}" = sixth ]; then
  CRATES=("${SIXTH[@]}")
fi

store=target/judge/crates
report=target/judge/report
mkdir -p "$store" "$report"

# Fetches and unpacks one crate unless it is already there; refuses a .crate whose checksum is
# not the pinned one.
fetch() {
  local name=$1 version=$2 sum=$3
  local file="$store/$name-$version.crate" dir="$store/$name-$version"
  if [ ! -f "$file" ]; then
    curl -sSfL --retry 3 -o "$file.part" "https://static.crates.io/crates/$name/$name-$version.crate"
    mv "$file.part" "$file"
  fi
  if ! echo "$sum  $file" | sha256sum --check --status; then
    echo "judge.sh: $file does not have the pinned sha256" >&2
    exit 1
  fi
  if [ ! -f "$dir/Cargo.toml" ]; then
    tar -xzf "$file" -C "$store"
  fi
}

dirs=()
for entry in "${CRATES[@]}"; do
  read -r name version sum _kind <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
    continue
  fi
  fetch "$name" "$version" "$sum"
  dirs+=("$store/$name-$version")
done
if [ ${#dirs[@]} -eq 0 ]; then
  echo "judge.sh: no crate selected; known: $(printf '%s\n' "${CRATES[@]}" | awk '{print $1}' | tr '\n' ' ')" >&2
  exit 2
fi

cargo build --release --locked
# The harness judges each crate in turn; each crate's own Cargo.lock (shipped in the .crate)
# pins its dependencies.
cargo test --release --locked --test judge -- \
  --memlens "${CARGO_TARGET_DIR:-$PWD/target}/release/memlens" --json "$report/judge.json" "${dirs[@]}" \
  | tee "$report/judge.txt"
