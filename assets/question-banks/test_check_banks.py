#!/usr/bin/python3
"""Tests for check_banks.py: the real banks pass, and every broken variant of a small bank is
reported with its file and question id. Standard library only.

Run:  /usr/bin/python3 assets/question-banks/test_check_banks.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_banks.py")

GOOD = '''[bank]
id = "test-bank"
title_zh = "测试"
title_en = "Test"
version = 1
scoring = "proportional"

[[question]]
id = "t-001"
version = 1
module = "safety"
type = "single"
difficulty = 1
concept = "fire-number"
stem_zh = "火警电话是？"
stem_en = "What is the fire number?"
explanation_zh = "火警是119。"
explanation_en = "119."

[[question.option]]
text_zh = "119"
text_en = "119"
correct = true

[[question.option]]
text_zh = "120"
text_en = "120"
correct = false

[[question]]
id = "t-002"
version = 1
module = "safety"
type = "truefalse"
difficulty = 2
concept = "wet-hands"
stem_zh = "湿手可以按开关。"
stem_en = "Wet hands may press a switch."
image = "images/pic.png"
explanation_zh = "会触电。"
explanation_en = "Shock risk."
answer = false

[[question]]
id = "t-003"
version = 1
module = "safety"
type = "multiple"
difficulty = 3
concept = "emergency-numbers"
stem_zh = "遇到坏人或需要救护车时拨打？"
stem_en = "Whom do you call for the police or an ambulance?"
explanation_zh = "110和120。"
explanation_en = "110 and 120."

[[question.option]]
text_zh = "110"
text_en = "110"
correct = true
weight = 50

[[question.option]]
text_zh = "120"
text_en = "120"
correct = true
weight = 50

[[question.option]]
text_zh = "114"
text_en = "114"
correct = false
weight = -50
'''


class CheckBanksTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="check_banks_")
        os.makedirs(os.path.join(self.dir, "images"))
        with open(os.path.join(self.dir, "images", "pic.png"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_checker(self, *args):
        r = subprocess.run([sys.executable, CHECKER, *args], capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    def check_text(self, text, *extra):
        path = os.path.join(self.dir, "bank.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return self.run_checker("--format-only", *extra, path)

    def assert_problem(self, text, *needles):
        rc, out = self.check_text(text)
        self.assertEqual(rc, 1, out)
        self.assertIn("bank.toml", out)
        for n in needles:
            self.assertIn(n, out)

    def test_default_banks_pass(self):
        rc, out = self.run_checker()
        self.assertEqual(rc, 0, out)
        self.assertIn("7 bank(s)", out)

    def test_good_bank_passes(self):
        rc, out = self.check_text(GOOD)
        self.assertEqual(rc, 0, out)

    def test_toml_syntax_error(self):
        self.assert_problem(GOOD + "\n[[question]\n", "TOML syntax error")

    def test_missing_required_key(self):
        self.assert_problem(GOOD.replace('stem_en = "What is the fire number?"\n', ""),
                            "t-001", "missing required key 'stem_en'")

    def test_unknown_key(self):
        self.assert_problem(GOOD.replace("difficulty = 1\n", "difficulty = 1\ndifficutly = 1\n"),
                            "t-001", "unknown key 'difficutly'")

    def test_bad_values(self):
        self.assert_problem(GOOD.replace('scoring = "proportional"', 'scoring = "partial"'), "unknown scoring")
        self.assert_problem(GOOD.replace('module = "safety"\ntype = "single"', 'module = "cooking"\ntype = "single"'),
                            "t-001", "unknown module 'cooking'")
        self.assert_problem(GOOD.replace('type = "single"', 'type = "essay"'), "t-001", "unknown type 'essay'")
        self.assert_problem(GOOD.replace("difficulty = 1", "difficulty = 4"), "t-001", "'difficulty' must be")
        self.assert_problem(GOOD.replace("difficulty = 1", "difficulty = true"), "t-001", "'difficulty' must be")
        self.assert_problem(GOOD.replace('id = "t-001"\nversion = 1', 'id = "t-001"\nversion = 0'), "t-001", "'version'")

    def test_duplicate_id_and_stem(self):
        self.assert_problem(GOOD.replace('id = "t-002"', 'id = "t-001"'), "already used")
        self.assert_problem(GOOD.replace('stem_zh = "湿手可以按开关。"', 'stem_zh = "火警电话是？"'), "same stem_zh")

    def test_single_needs_exactly_one_correct(self):
        self.assert_problem(GOOD.replace('text_zh = "120"\ntext_en = "120"\ncorrect = false',
                                         'text_zh = "120"\ntext_en = "120"\ncorrect = true'),
                            "t-001", "exactly one option")

    def test_multiple_needs_two_correct(self):
        self.assert_problem(GOOD.replace('text_zh = "120"\ntext_en = "120"\ncorrect = true\nweight = 50',
                                         'text_zh = "120"\ntext_en = "120"\ncorrect = false\nweight = -50'),
                            "t-003", "at least two correct")

    def test_option_count(self):
        one = GOOD.replace('[[question.option]]\ntext_zh = "120"\ntext_en = "120"\ncorrect = false\n', "")
        self.assert_problem(one, "t-001", "has 1 options")

    def test_duplicate_option_text(self):
        self.assert_problem(GOOD.replace('text_zh = "120"', 'text_zh = "119"', 1), "t-001", "duplicate option text")

    def test_truefalse_rules(self):
        self.assert_problem(GOOD.replace("answer = false\n", ""), "t-002", "needs 'answer")
        self.assert_problem(GOOD.replace("answer = false", 'answer = "no"'), "t-002", "needs 'answer")
        self.assert_problem(GOOD.replace('correct = true\n\n[[question.option]]\ntext_zh = "120"',
                                         'correct = true\n\n[[question.option]]\ntext_zh = "120"', 1)
                            .replace('explanation_en = "119."\n', 'explanation_en = "119."\nanswer = true\n'),
                            "t-001", "'answer' is only for truefalse")

    def test_weights(self):
        self.assert_problem(GOOD.replace("weight = -50", "weight = 10"), "t-003", "incorrect option needs a weight <= 0")
        self.assert_problem(GOOD.replace("weight = 50\n", "weight = 40\n", 1), "t-003", "add up to 90")
        # in a proportional bank every option of a multiple-response question carries a weight
        self.assert_problem(GOOD.replace("weight = -50\n", ""), "t-003", "explicit weight", "option 3")
        self.assert_problem(GOOD.replace("weight = -50\n", "").replace("weight = 50\n", ""),
                            "t-003", "explicit weight", "option 1, 2, 3")
        # a wrong option weighted 0 would let ticking everything score full marks
        self.assert_problem(GOOD.replace("weight = -50", "weight = 0"), "t-003", "needs a negative weight")
        # in an all-or-nothing bank there are no weights at all
        aon = GOOD.replace('scoring = "proportional"', 'scoring = "all-or-nothing"')
        rc, out = self.check_text(aon.replace("weight = -50\n", "").replace("weight = 50\n", ""))
        self.assertEqual(rc, 0, out)
        self.assert_problem(GOOD.replace("weight = 50\n", "weight = 60\n", 1).replace("weight = 50\n", ""),
                            "t-003", "add up to 110")
        self.assert_problem(GOOD.replace('scoring = "proportional"', 'scoring = "all-or-nothing"'),
                            "t-003", "only used when the bank has scoring")
        self.assert_problem(GOOD.replace('correct = true\n\n[[question.option]]\ntext_zh = "120"',
                                         'correct = true\nweight = 100\n\n[[question.option]]\ntext_zh = "120"', 1),
                            "t-001", "only allowed on multiple-response")

    def test_concept_required_and_well_formed(self):
        self.assert_problem(GOOD.replace('concept = "fire-number"\n', ""), "t-001", "missing required key 'concept'")
        self.assert_problem(GOOD.replace('concept = "fire-number"', 'concept = "Fire Number"'),
                            "t-001", "concept 'Fire Number' must be a short id")
        self.assert_problem(GOOD.replace('concept = "fire-number"', 'concept = ""'), "t-001", "'concept' must be")
        self.assert_problem(GOOD.replace('concept = "fire-number"', 'concept = "fire-"'),
                            "t-001", "concept 'fire-' must be a short id")
        self.assert_problem(GOOD.replace('concept = "fire-number"', 'concept = "' + "x" * 41 + '"'),
                            "t-001", "at most 40")
        # the same concept twice in one module is allowed (a retake avoids it), in two modules it is not
        rc, out = self.check_text(GOOD.replace('concept = "wet-hands"', 'concept = "fire-number"'))
        self.assertEqual(rc, 0, out)
        other = GOOD.replace('module = "safety"\ntype = "truefalse"', 'module = "appliance"\ntype = "truefalse"')
        self.assert_problem(other.replace('concept = "wet-hands"', 'concept = "fire-number"'),
                            "question t-001 (safety)", "question t-002 (appliance)", "concept 'fire-number'")

    def test_longest_key_share(self):
        # t-001's key is as long as its distractor; make it the longest: 1 of 1 single-choice questions
        self.assert_problem(GOOD.replace('text_zh = "119"\ntext_en = "119"\ncorrect = true\n\n',
                                         'text_zh = "拨打119"\ntext_en = "119"\ncorrect = true\n\n', 1),
                            "single longest", "1 of 1", "(100%)", "t-001")
        # a key longer than one distractor but as long as another is not the single longest
        extra = ('\n[[question.option]]\ntext_zh = "拨打110"\ntext_en = "Call 110"\ncorrect = false\n')
        text = GOOD.replace('text_zh = "119"\ntext_en = "119"\ncorrect = true\n\n',
                            'text_zh = "拨打119"\ntext_en = "119"\ncorrect = true\n\n', 1)
        text = text.replace('text_zh = "120"\ntext_en = "120"\ncorrect = false\n',
                            'text_zh = "120"\ntext_en = "120"\ncorrect = false\n' + extra, 1)
        rc, out = self.check_text(text)
        self.assertEqual(rc, 0, out)
        # the English texts are measured on their own
        self.assert_problem(GOOD.replace('text_zh = "119"\ntext_en = "119"\ncorrect = true\n\n',
                                         'text_zh = "119"\ntext_en = "Call 119"\ncorrect = true\n\n', 1),
                            "single longest (English)", "1 of 1", "t-001")
        # the over-correction, a key that is always the shortest, is refused too
        self.assert_problem(GOOD.replace('text_zh = "120"\ntext_en = "120"\ncorrect = false',
                                         'text_zh = "拨打120"\ntext_en = "120"\ncorrect = false', 1),
                            "single shortest", "1 of 1", "t-001")

    def test_near_duplicates(self):
        copy = ('\n[[question]]\nid = "t-004"\nversion = 1\nmodule = "safety"\ntype = "single"\n'
                'difficulty = 1\nconcept = "fire-call"\nstem_zh = "火警的电话是哪个？"\nstem_en = "Fire number?"\n'
                'explanation_zh = "火警是119。"\nexplanation_en = "119."\n\n[[question.option]]\ntext_zh = "119"\n'
                'text_en = "119"\ncorrect = true\n\n[[question.option]]\ntext_zh = "110"\ntext_en = "110"\n'
                'correct = false\n')
        self.assert_problem(GOOD + copy, "bank.toml: question t-001 and bank.toml: question t-004", "near duplicates")
        other = copy.replace("火警的电话是哪个？", "燃气泄漏后应到哪里打电话？").replace(
            'text_zh = "119"', 'text_zh = "到室外"').replace('text_zh = "110"', 'text_zh = "在厨房"')
        rc, out = self.check_text(GOOD + other)
        self.assertEqual(rc, 0, out)

    def test_languages(self):
        self.assert_problem(GOOD.replace('stem_en = "What is the fire number?"', 'stem_en = "火警电话是？"'),
                            "t-001", "'stem_en' contains Chinese")
        self.assert_problem(GOOD.replace('stem_zh = "火警电话是？"', 'stem_zh = "What is the fire number?"'),
                            "t-001", "'stem_zh' has no Chinese")
        self.assert_problem(GOOD.replace('explanation_zh = "会触电。"', 'explanation_zh = "Shock risk."'),
                            "t-002", "'explanation_zh' has no Chinese")
        self.assert_problem(GOOD.replace('text_en = "120"', 'text_en = "急救"'), "t-001", "'text_en' contains Chinese")

    def test_bare_waiter(self):
        self.assert_problem(GOOD.replace("湿手可以按开关。", "服务员湿手可以按开关。"), "t-002", "家政服务员")
        rc, out = self.check_text(GOOD.replace("湿手可以按开关。", "家政服务员湿手可以按开关。"))
        self.assertEqual(rc, 0, out)

    def test_optional_keys(self):
        text = GOOD.replace('stem_zh = "火警电话是？"', 'title = "fire"\nstem_zh = "火警电话是？"')
        text = text.replace('text_zh = "120"\ntext_en = "120"\ncorrect = false',
                            'text_zh = "120"\ntext_en = "120"\ncorrect = false\nfeedback_zh = "急救"\nfeedback_en = "ambulance"')
        rc, out = self.check_text(text)
        self.assertEqual(rc, 0, out)
        self.assert_problem(text.replace('feedback_zh = "急救"', 'feedback_zh = ""'), "t-001", "'feedback_zh' must be")

    def test_image(self):
        self.assert_problem(GOOD.replace("images/pic.png", "images/missing.png"), "t-002", "does not exist")
        self.assert_problem(GOOD.replace("images/pic.png", "../pic.png"), "t-002", "relative path below")
        self.assert_problem(GOOD.replace("images/pic.png", "images/pic.gif"), "t-002", "PNG or JPEG")

    def test_module_rules(self):
        # without --format-only, a small bank breaks the per-module rules
        path = os.path.join(self.dir, "bank.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(GOOD)
        rc, out = self.run_checker(path)
        self.assertEqual(rc, 1, out)
        self.assertIn("module safety: has 3 questions", out)
        # a folder must cover all seven modules
        rc, out = self.run_checker(self.dir)
        self.assertEqual(rc, 1, out)
        self.assertIn("module ethics: has 0 questions", out)

    def test_module_must_match_file_name(self):
        path = os.path.join(self.dir, "legal.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(GOOD)
        rc, out = self.run_checker("--format-only", path)
        self.assertEqual(rc, 1, out)
        self.assertIn("bank file of module 'legal'", out)

    def test_usage_errors(self):
        rc, _ = self.run_checker("--no-such-option")
        self.assertEqual(rc, 2)
        rc, _ = self.run_checker(os.path.join(self.dir, "nope.toml"))
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
