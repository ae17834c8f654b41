#!/usr/bin/python3
"""Check the default question banks (native TOML format, see README.md).

Usage:  /usr/bin/python3 check_banks.py [--format-only] [BANK_DIR_OR_FILE ...]
        (default: every *.toml next to this script)
        --format-only: check the file format only, skip the per-module rules
        (question count, difficulty spread, type mix), e.g. for small test banks

Standard library only (Python 3.11 tomllib). Prints one line per problem, naming the file and
the question id, and exits with status 1 when there is any problem (2 on a usage error),
0 when every bank is valid. The module-level rules (at least MIN_PER_MODULE questions per
module, difficulty spread, every question type present) apply to the whole set checked; a
folder must cover all seven modules, files named one by one only the modules they contain.
"""

import difflib
import itertools
import math
import os
import re
import sys
import tomllib

MODULES = ("ethics", "etiquette", "legal", "safety", "appliance", "homecare", "badge")
TYPES = ("single", "multiple", "truefalse")
SCORINGS = ("all-or-nothing", "proportional")
MIN_PER_MODULE = 30
MIN_OPTIONS, MAX_OPTIONS = 2, 6
# allowed share of each difficulty level per module (target roughly 40% / 40% / 20%)
DIFFICULTY_SHARE = {1: (0.25, 0.55), 2: (0.25, 0.55), 3: (0.10, 0.35)}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CONCEPT_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")  # as the importer: no '-' at either end
CONCEPT_MAX = 40
# Item writing: in at most this share of a bank's single-choice questions may the right option be the
# single longest one, in zh-CN and in English alike (a candidate reads one of them); test-wise candidates
# pick the longest. The same limit holds for the single shortest (the over-correction).
MAX_LONGEST_KEY_SHARE = 0.35
# Near duplicates: difflib ratio of the normalised zh-CN stem plus the text of the right option(s), with
# punctuation, spaces and stock phrases ("下列做法正确的是" ...) removed. Measured on the 229 questions of
# bank version 1: distinct questions scored at most 0.46, the paraphrased pair etiquette-014/safety-027
# (a stranger at the door) 0.52, copy-and-edit variants score 0.7 and more. 0.5 sits between the two.
# A paraphrase with other words scores low; that is what the `concept` tag is for (one concept, one module).
NEAR_DUPLICATE_RATIO = 0.5
STOCK_PHRASES = re.compile(r"（多选）|\(多选\)|【|】|下列|以下|哪些|哪项|哪个|哪一项|做法|说法|正确|错误|的是|"
                           r"应该|应当|较合适|最合适|合适|是什么|怎么办|如图所示|家政服务员")
HAN = re.compile(r"[\u3400-\u9fff]")
BARE_WAITER = re.compile(r"(?<!家政)服务员")

BANK_KEYS = {"id": True, "title_zh": True, "title_en": True, "version": True, "scoring": True}
QUESTION_KEYS = {
    "id": True, "version": True, "module": True, "type": True, "difficulty": True, "concept": True,
    "stem_zh": True, "stem_en": True, "explanation_zh": True, "explanation_en": True,
    "image": False, "answer": False, "option": False, "title": False,
}
OPTION_KEYS = {"text_zh": True, "text_en": True, "correct": True, "weight": False,
               "feedback_zh": False, "feedback_en": False}


class Report:
    def __init__(self):
        self.problems = []

    def add(self, where, message):
        self.problems.append(f"{where}: {message}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(float(v)))


def non_empty_text(v):
    return isinstance(v, str) and v.strip() != ""


def check_languages(rep, where, table, zh_keys, en_keys):
    """A zh-CN text must contain Chinese, an English text must not (a missing translation is often
    the other language pasted twice). Option texts in zh-CN may be numbers (e.g. "119")."""
    for key in zh_keys:
        v = table.get(key)
        if isinstance(v, str) and v.strip() and not HAN.search(v):
            rep.add(where, f"'{key}' has no Chinese text; write the zh-CN version there")
        if isinstance(v, str) and BARE_WAITER.search(v):
            rep.add(where, f"'{key}' says 服务员 (a waiter); write 家政服务员 (programme.md, Names)")
    for key in en_keys:
        v = table.get(key)
        if isinstance(v, str) and HAN.search(v):
            rep.add(where, f"'{key}' contains Chinese characters; write the English translation there")


def check_keys(rep, where, table, spec, what):
    if not isinstance(table, dict):
        rep.add(where, f"{what} must be a table; write it as [{what}]")
        return False
    for key in table:
        if key not in spec:
            rep.add(where, f"unknown key '{key}' in {what}; allowed keys: {', '.join(spec)}")
    for key, required in spec.items():
        if required and key not in table:
            rep.add(where, f"missing required key '{key}' in {what}; add it")
    return True


def check_text_fields(rep, where, table, keys):
    for key in keys:
        if key in table and not non_empty_text(table[key]):
            rep.add(where, f"'{key}' must be a non-empty string")


def check_options(rep, where, q, scoring):
    qtype = q.get("type")
    options = q.get("option")
    if qtype == "truefalse":
        if options is not None:
            rep.add(where, "a truefalse question takes 'answer = true|false', not [[question.option]]; "
                           "remove the options")
        if not isinstance(q.get("answer"), bool):
            rep.add(where, "a truefalse question needs 'answer = true' or 'answer = false'")
        return
    if "answer" in q:
        rep.add(where, f"'answer' is only for truefalse questions; for type '{qtype}' mark the "
                       "right options with 'correct = true' instead")
    if not isinstance(options, list) or not options:
        rep.add(where, f"a '{qtype}' question needs {MIN_OPTIONS}-{MAX_OPTIONS} [[question.option]] tables")
        return
    if not (MIN_OPTIONS <= len(options) <= MAX_OPTIONS):
        rep.add(where, f"has {len(options)} options; give between {MIN_OPTIONS} and {MAX_OPTIONS}")
    seen_zh, seen_en = set(), set()
    n_correct = 0
    for i, opt in enumerate(options, start=1):
        owhere = f"{where}: option {i}"
        if not check_keys(rep, owhere, opt, OPTION_KEYS, "question.option"):
            continue
        check_text_fields(rep, owhere, opt, ("text_zh", "text_en", "feedback_zh", "feedback_en"))
        check_languages(rep, owhere, opt, ("feedback_zh",), ("text_en", "feedback_en"))
        if isinstance(opt.get("text_zh"), str) and BARE_WAITER.search(opt["text_zh"]):
            rep.add(owhere, "'text_zh' says 服务员 (a waiter); write 家政服务员 (programme.md, Names)")
        if "correct" in opt and not isinstance(opt["correct"], bool):
            rep.add(owhere, "'correct' must be true or false")
        correct = opt.get("correct") is True
        n_correct += correct
        for key, seen in (("text_zh", seen_zh), ("text_en", seen_en)):
            text = opt.get(key)
            if isinstance(text, str):
                norm = text.strip().lower()
                if norm in seen:
                    rep.add(owhere, f"duplicate option text '{text}'; every option must differ")
                seen.add(norm)
        if "weight" in opt:
            w = opt["weight"]
            if qtype != "multiple":
                rep.add(owhere, "'weight' is only allowed on multiple-response options; remove it")
            elif not is_number(w) or not (-100 <= w <= 100):
                rep.add(owhere, "'weight' must be a number of percent between -100 and 100")
            else:
                if correct and w <= 0:
                    rep.add(owhere, f"a correct option needs a positive weight (got {w})")
                if not correct and w > 0:
                    rep.add(owhere, f"an incorrect option needs a weight <= 0 (got {w})")
                elif not correct and w == 0 and scoring == "proportional":
                    rep.add(owhere, "a wrong option in a proportional bank needs a negative weight, "
                                    "or ticking every option pays; e.g. -100 / number of wrong options")
    if qtype == "single" and n_correct != 1:
        rep.add(where, f"single choice needs exactly one option with 'correct = true' (found {n_correct})")
    if qtype == "multiple" and n_correct < 2:
        rep.add(where, f"multiple response needs at least two correct options (found {n_correct}); "
                       "use type = \"single\" for one right answer")
    if qtype == "multiple" and scoring == "proportional":
        missing = [i for i, o in enumerate(options, start=1) if isinstance(o, dict) and "weight" not in o]
        if missing:
            rep.add(where, "a multiple-response question in a proportional bank needs an explicit weight "
                           f"on every option (missing on option {', '.join(map(str, missing))}): right "
                           "options positive and adding up to 100, wrong options negative")
    if qtype == "multiple" and any(isinstance(o, dict) and "weight" in o for o in options):
        # an option without a weight counts as 100 / (number of correct options) when correct, 0 when not
        implied = 100.0 / n_correct if n_correct else 0.0
        effective = []
        for o in options:
            if not isinstance(o, dict):
                continue
            w = o.get("weight")
            if is_number(w):
                effective.append(float(w))
            elif "weight" not in o:
                effective.append(implied if o.get("correct") is True else 0.0)
        positive = sum(w for w in effective if w > 0)
        if len(effective) == len(options) and abs(positive - 100) > 0.5:
            rep.add(where, f"positive weights add up to {positive:g}; they must add up to 100 "
                           "(an option without a weight counts as 100 / number of correct options)")
        if scoring != "proportional":
            rep.add(where, "option weights are only used when the bank has scoring = \"proportional\"; "
                           "change the bank scoring or remove the weights")


def check_question(rep, fname, bank_dir, idx, q, scoring, file_module, all_ids, all_stems):
    qid = q.get("id") if isinstance(q, dict) else None
    where = f"{fname}: question {qid if isinstance(qid, str) else '#' + str(idx)}"
    if not check_keys(rep, where, q, QUESTION_KEYS, "question"):
        return None
    if isinstance(qid, str):
        if not ID_RE.match(qid):
            rep.add(where, "id must use lower-case letters, digits and '-' only")
        if qid in all_ids:
            rep.add(where, f"id is already used in {all_ids[qid]}; ids must be unique across all banks")
        else:
            all_ids[qid] = fname
    elif "id" in q:
        rep.add(where, "'id' must be a string")
    if "version" in q and (not is_int(q["version"]) or q["version"] < 1):
        rep.add(where, "'version' must be an integer >= 1")
    module = q.get("module")
    if "module" in q and module not in MODULES:
        rep.add(where, f"unknown module '{module}'; use one of: {' '.join(MODULES)}")
    if file_module and module in MODULES and module != file_module:
        rep.add(where, f"module '{module}' in the bank file of module '{file_module}'; "
                       "move the question to its module's file")
    if "type" in q and q["type"] not in TYPES:
        rep.add(where, f"unknown type '{q['type']}'; use one of: {' | '.join(TYPES)}")
    diff = q.get("difficulty")
    if "difficulty" in q and (not is_int(diff) or diff not in (1, 2, 3)):
        rep.add(where, "'difficulty' must be 1 (easy), 2 (medium) or 3 (hard)")
    check_text_fields(rep, where, q, ("stem_zh", "stem_en", "explanation_zh", "explanation_en", "title",
                                      "concept"))
    check_languages(rep, where, q, ("stem_zh", "explanation_zh"), ("stem_en", "explanation_en"))
    concept = q.get("concept")
    if isinstance(concept, str) and concept.strip():
        if not CONCEPT_RE.match(concept) or len(concept) > CONCEPT_MAX:
            rep.add(where, f"concept '{concept}' must be a short id (lower-case letters, digits and '-', "
                           f"not at either end, at most {CONCEPT_MAX} characters) naming the point the "
                           "question tests")
    stem = q.get("stem_zh")
    if isinstance(stem, str) and stem.strip():
        key = stem.strip()
        if key in all_stems:
            rep.add(where, f"same stem_zh as question {all_stems[key]}; reword or remove one")
        else:
            all_stems[key] = f"{fname}:{qid}"
    if "image" in q:
        img = q["image"]
        if not non_empty_text(img):
            rep.add(where, "'image' must be a path relative to the bank file")
        elif os.path.isabs(img) or ".." in img.split("/") or "\\" in img:
            rep.add(where, f"image '{img}' must be a relative path below the bank folder, with '/'")
        elif not img.lower().endswith((".png", ".jpg", ".jpeg")):
            rep.add(where, f"image '{img}' must be a PNG or JPEG file")
        elif not os.path.isfile(os.path.join(bank_dir, img)):
            rep.add(where, f"image file '{img}' does not exist next to the bank; "
                           "run images/make_images.py or fix the path")
    if q.get("type") in TYPES:
        check_options(rep, where, q, scoring)
    return q


def check_file(rep, path, all_ids, all_stems):
    fname = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except UnicodeDecodeError as e:
        rep.add(fname, f"not valid UTF-8 ({e}); save the file as UTF-8")
        return []
    except tomllib.TOMLDecodeError as e:
        rep.add(fname, f"TOML syntax error: {e}; fix the syntax at that line")
        return []
    for key in data:
        if key not in ("bank", "question"):
            rep.add(fname, f"unknown top-level key '{key}'; a bank has only [bank] and [[question]]")
    bank = data.get("bank")
    scoring = None
    if bank is None:
        rep.add(fname, "missing [bank] table; add id, title_zh, title_en, version, scoring")
    elif check_keys(rep, f"{fname}: [bank]", bank, BANK_KEYS, "bank"):
        where = f"{fname}: [bank]"
        if "id" in bank and (not isinstance(bank["id"], str) or not ID_RE.match(bank["id"])):
            rep.add(where, "bank id must use lower-case letters, digits and '-' only")
        check_text_fields(rep, where, bank, ("title_zh", "title_en"))
        if "version" in bank and (not is_int(bank["version"]) or bank["version"] < 1):
            rep.add(where, "'version' must be an integer >= 1")
        scoring = bank.get("scoring")
        if "scoring" in bank and scoring not in SCORINGS:
            rep.add(where, f"unknown scoring '{scoring}'; use one of: {' | '.join(SCORINGS)}")
    questions = data.get("question")
    if not isinstance(questions, list) or not questions:
        rep.add(fname, "no [[question]] tables; a bank needs at least one question")
        return []
    stem = os.path.splitext(fname)[0]
    file_module = stem if stem in MODULES else None
    bank_dir = os.path.dirname(os.path.abspath(path))
    out = []
    for idx, q in enumerate(questions, start=1):
        r = check_question(rep, fname, bank_dir, idx, q, scoring, file_module, all_ids, all_stems)
        if r is not None:
            out.append(r)
    check_longest_key(rep, fname, out)
    return out


def key_length_rank(q, key="text_zh"):
    """'longest' or 'shortest' when the single right option is strictly longer (shorter) than every
    other option in the given text key (characters), else None."""
    options = [o for o in q.get("option") or [] if isinstance(o, dict) and isinstance(o.get(key), str)]
    keys = [o for o in options if o.get("correct") is True]
    if len(keys) != 1 or len(options) < 2:
        return None
    key_len = len(keys[0][key].strip())
    others = [len(o[key].strip()) for o in options if o is not keys[0]]
    if all(key_len > n for n in others):
        return "longest"
    if all(key_len < n for n in others):
        return "shortest"
    return None


def check_longest_key(rep, fname, questions):
    """The right option must not give itself away by its length: neither the single longest nor (the
    over-correction) the single shortest in more than MAX_LONGEST_KEY_SHARE of the single-choice questions."""
    singles = [q for q in questions if q.get("type") == "single"]
    if not singles:
        return
    for key, lang in (("text_zh", "zh-CN"), ("text_en", "English")):
        for rank, advice in (("longest", "lengthening wrong options or shortening the right one"),
                             ("shortest", "shortening wrong options or lengthening the right one")):
            hits = [q for q in singles if key_length_rank(q, key) == rank]
            share = len(hits) / len(singles)
            if share > MAX_LONGEST_KEY_SHARE:
                ids = " ".join(str(q.get("id")) for q in hits)
                rep.add(fname, f"the right option is the single {rank} ({lang}) in {len(hits)} of {len(singles)} "
                               f"single-choice questions ({share:.0%}); keep it at most "
                               f"{MAX_LONGEST_KEY_SHARE:.0%} by {advice}: {ids}")


def similarity_text(q):
    text = q.get("stem_zh") if isinstance(q.get("stem_zh"), str) else ""
    if q.get("type") in ("single", "multiple") and isinstance(q.get("option"), list):
        text += "".join(o.get("text_zh", "") for o in q["option"]
                        if isinstance(o, dict) and o.get("correct") is True and isinstance(o.get("text_zh"), str))
    return re.sub(r"[\W_]+", "", STOCK_PHRASES.sub("", text)).lower()


def check_near_duplicates(rep, sourced):
    """Two questions that ask the same thing in nearly the same words (across all banks checked), and a
    concept tag used in two modules (the same point tested in two banks: merge or retire one)."""
    texts = [(f"{fname}: question {q.get('id')}", q, similarity_text(q)) for fname, q in sourced]
    for (wa, a, ta), (wb, b, tb) in itertools.combinations(texts, 2):
        if not ta or not tb:
            continue
        m = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
        if m.real_quick_ratio() < NEAR_DUPLICATE_RATIO or m.quick_ratio() < NEAR_DUPLICATE_RATIO:
            continue
        ratio = m.ratio()
        if ratio >= NEAR_DUPLICATE_RATIO:
            rep.add(f"{wa} and {wb}",
                    f"near duplicates (similarity {ratio:.2f} >= {NEAR_DUPLICATE_RATIO}); merge them, "
                    "retire one, or make them test different points")
    modules_of = {}
    for fname, q in sourced:
        c = q.get("concept")
        if isinstance(c, str) and q.get("module") in MODULES:
            modules_of.setdefault(c, {}).setdefault(q["module"], f"{fname}: question {q.get('id')}")
    for c, mods in sorted(modules_of.items()):
        if len(mods) > 1:
            where = " and ".join(f"{w} ({m})" for m, w in sorted(mods.items()))
            rep.add(where, f"concept '{c}' is tested in {len(mods)} modules; keep one point in one "
                           "module (merge or retire the other question)")


def check_modules(rep, questions, require_all):
    present = {q.get("module") for q in questions}
    for module in MODULES:
        if not require_all and module not in present:
            continue
        qs = [q for q in questions if q.get("module") == module]
        where = f"module {module}"
        if len(qs) < MIN_PER_MODULE:
            rep.add(where, f"has {len(qs)} questions; write at least {MIN_PER_MODULE}")
        if not qs:
            continue
        for level, (lo, hi) in DIFFICULTY_SHARE.items():
            share = sum(1 for q in qs if q.get("difficulty") == level) / len(qs)
            if not (lo <= share <= hi):
                rep.add(where, f"difficulty {level} is {share:.0%} of the questions; keep it between "
                               f"{lo:.0%} and {hi:.0%} (target about 40/40/20)")
        for qtype in TYPES:
            if not any(q.get("type") == qtype for q in qs):
                rep.add(where, f"has no '{qtype}' question; mix the question types")


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    args = argv[1:]
    format_only = "--format-only" in args
    args = [a for a in args if a != "--format-only"]
    for a in args:
        if a.startswith("-"):
            print(f"check_banks: unknown option '{a}'; usage: check_banks.py [--format-only] [BANK_DIR_OR_FILE ...]",
                  file=sys.stderr)
            return 2
    targets = args or [here]
    files = []
    for t in targets:
        if os.path.isdir(t):
            files += sorted(os.path.join(t, n) for n in os.listdir(t) if n.endswith(".toml"))
        elif os.path.isfile(t):
            files.append(t)
        else:
            print(f"check_banks: '{t}' is neither a file nor a folder; pass bank files or their folder",
                  file=sys.stderr)
            return 2
    if not files:
        print(f"check_banks: no *.toml bank files found in {' '.join(targets)}", file=sys.stderr)
        return 2
    rep = Report()
    all_ids, all_stems, questions, sourced = {}, {}, [], []
    for path in files:
        qs = check_file(rep, path, all_ids, all_stems)
        questions += qs
        sourced += [(os.path.basename(path), q) for q in qs]
    check_near_duplicates(rep, sourced)
    # a folder must hold every module; single files are checked for the modules they contain
    if not format_only:
        check_modules(rep, questions, require_all=all(os.path.isdir(t) for t in targets))
    for p in rep.problems:
        print(p, file=sys.stderr)
    if rep.problems:
        print(f"check_banks: {len(rep.problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    counts = {m: sum(1 for q in questions if q.get("module") == m) for m in MODULES}
    print(f"check_banks: OK, {len(files)} bank(s), {len(questions)} questions: "
          + ", ".join(f"{m} {n}" for m, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
