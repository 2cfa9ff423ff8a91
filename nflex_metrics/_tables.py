# Generated from grammars/conversion.lark by scripts/generate_tables.py: do not edit.
# After changing the grammar, run `python scripts/generate_tables.py` and commit the result.
"""The LALR(1) tables of the expression grammar, for :mod:`nflex_metrics.syntax`.

Parser states are numbers. Terminals are UPPER-CASE names and ``$END`` (the end of
the text); nonterminals are the grammar's rule names, with template arguments
in braces.
"""

from __future__ import annotations

#: SHA-256 of the grammar file these tables were generated from.
GRAMMAR_SHA256 = "ba489e66875d49b018178a9c0093a4b7299c04a7e5807f3c2fed067d480b27c7"

#: Blanks, then one of: a terminal (the group named after it), the end of the text
#: (``_END``) or a character no terminal matches (``_OTHER``). A keyword matches as
#: NAME (see KEYWORD_KINDS).
TOKEN_PATTERN = (
    "(?:[ \t\r\n]+)*"
    r"(?:(?P<NUMBER>[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?)"
    r"|(?P<NAME>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<RELATION>==|!=|<>|<=|>=|=|<|>)"
    r"|(?P<MUL_OP>[*\/])"
    r"|(?P<ADD_OP>[+-])"
    r"|(?P<LPAR>\()"
    r"|(?P<POW_OP>\^)"
    r"|(?P<RPAR>\))"
    r"|(?P<_END>\Z)"
    r"|(?P<_OTHER>(?s:.)))"
)

#: Start rule (dialect) -> the parser's first state.
START_STATES = {"full": 0, "arithmetic": 1, "ternary": 2, "case": 3, "simple": 4}

#: Start rule (dialect) -> the state reached once the whole text is that rule.
END_STATES = {"full": 13, "arithmetic": 24, "ternary": 31, "case": 33, "simple": 35}

#: Rule number -> (symbols to pop, nonterminal to go to, what to build): a `-> alias`
#: of the grammar, "+" (Lark's helper rule of `x+`, which collects a list) or ""
#: (a one-child rule that passes its child on).
RULES: tuple[tuple[int, str, str], ...] = (
    (2, "__case_expression{expression,full_operand}_plus_1", "+"),  # 0
    (1, "__case_expression{expression,full_operand}_plus_1", "+"),  # 1
    (2, "__case_expression{sum{case_operand},case_operand}_plus_0", "+"),  # 2
    (1, "__case_expression{sum{case_operand},case_operand}_plus_0", "+"),  # 3
    (1, "arithmetic", ""),  # 4
    (1, "case", ""),  # 5
    (5, "case_expression{expression,full_operand}", "case_when"),  # 6
    (3, "case_expression{expression,full_operand}", "case_when"),  # 7
    (5, "case_expression{sum{case_operand},case_operand}", "case_when"),  # 8
    (3, "case_expression{sum{case_operand},case_operand}", "case_when"),  # 9
    (1, "case_operand", "null"),  # 10
    (3, "case_operand", "parenthesised"),  # 11
    (1, "case_operand", "name"),  # 12
    (1, "case_operand", "number"),  # 13
    (1, "case_operand", ""),  # 14
    (3, "comparison{case_operand}", "comparison"),  # 15
    (3, "comparison{full_operand}", "comparison"),  # 16
    (3, "comparison{legacy_operand}", "comparison"),  # 17
    (3, "condition{case_operand}", "bool_op"),  # 18
    (1, "condition{case_operand}", ""),  # 19
    (3, "condition{full_operand}", "bool_op"),  # 20
    (1, "condition{full_operand}", ""),  # 21
    (3, "conjunction{case_operand}", "bool_op"),  # 22
    (1, "conjunction{case_operand}", ""),  # 23
    (3, "conjunction{full_operand}", "bool_op"),  # 24
    (1, "conjunction{full_operand}", ""),  # 25
    (1, "expression", ""),  # 26
    (5, "expression", "if_else"),  # 27
    (1, "full", ""),  # 28
    (3, "full_operand", "parenthesised"),  # 29
    (1, "full_operand", "name"),  # 30
    (1, "full_operand", "null"),  # 31
    (1, "full_operand", "number"),  # 32
    (1, "full_operand", ""),  # 33
    (1, "legacy_operand", "null"),  # 34
    (3, "legacy_operand", "parenthesised"),  # 35
    (1, "legacy_operand", "name"),  # 36
    (1, "legacy_operand", "number"),  # 37
    (2, "negation{case_operand}", "negation"),  # 38
    (1, "negation{case_operand}", ""),  # 39
    (2, "negation{full_operand}", "negation"),  # 40
    (1, "negation{full_operand}", ""),  # 41
    (1, "power{case_operand}", ""),  # 42
    (3, "power{case_operand}", "binary"),  # 43
    (1, "power{full_operand}", ""),  # 44
    (3, "power{full_operand}", "binary"),  # 45
    (1, "power{legacy_operand}", ""),  # 46
    (3, "power{legacy_operand}", "binary"),  # 47
    (3, "predicate{case_operand}", "parenthesised"),  # 48
    (1, "predicate{case_operand}", ""),  # 49
    (4, "predicate{case_operand}", "is_not_null"),  # 50
    (3, "predicate{case_operand}", "is_null"),  # 51
    (3, "predicate{full_operand}", "parenthesised"),  # 52
    (1, "predicate{full_operand}", ""),  # 53
    (4, "predicate{full_operand}", "is_not_null"),  # 54
    (3, "predicate{full_operand}", "is_null"),  # 55
    (1, "product{case_operand}", ""),  # 56
    (3, "product{case_operand}", "binary"),  # 57
    (1, "product{full_operand}", ""),  # 58
    (3, "product{full_operand}", "binary"),  # 59
    (1, "product{legacy_operand}", ""),  # 60
    (3, "product{legacy_operand}", "binary"),  # 61
    (2, "signed{case_operand}", "unary"),  # 62
    (1, "signed{case_operand}", ""),  # 63
    (2, "signed{full_operand}", "unary"),  # 64
    (1, "signed{full_operand}", ""),  # 65
    (2, "signed{legacy_operand}", "unary"),  # 66
    (1, "signed{legacy_operand}", ""),  # 67
    (1, "simple", ""),  # 68
    (5, "simple", "if_else"),  # 69
    (1, "sum{case_operand}", ""),  # 70
    (3, "sum{case_operand}", "binary"),  # 71
    (1, "sum{full_operand}", ""),  # 72
    (3, "sum{full_operand}", "binary"),  # 73
    (1, "sum{legacy_operand}", ""),  # 74
    (3, "sum{legacy_operand}", "binary"),  # 75
    (5, "ternary", "if_else"),  # 76
    (4, "when_arm{expression,full_operand}", "when"),  # 77
    (4, "when_arm{sum{case_operand},case_operand}", "when"),  # 78
)

#: State -> terminal -> action: a state number (>= 0) to shift the token and go to
#: that state, or ~rule (< 0) to reduce by that rule. A terminal absent is an error.
ACTIONS: tuple[dict[str, int], ...] = (
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 0
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 1
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 2
    {"CASE": 32},  # 3
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 4
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 5
    {"WHEN": 38},  # 6
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 7
    {"$END": ~30, "ADD_OP": ~30, "AND": ~30, "ELSE": ~30, "END": ~30, "IF": ~30, "IS": ~30,
     "MUL_OP": ~30, "OR": ~30, "POW_OP": ~30, "RELATION": ~30, "RPAR": ~30, "THEN": ~30,
     "WHEN": ~30},  # 8
    {"$END": ~31, "ADD_OP": ~31, "AND": ~31, "ELSE": ~31, "END": ~31, "IF": ~31, "IS": ~31,
     "MUL_OP": ~31, "OR": ~31, "POW_OP": ~31, "RELATION": ~31, "RPAR": ~31, "THEN": ~31,
     "WHEN": ~31},  # 9
    {"$END": ~32, "ADD_OP": ~32, "AND": ~32, "ELSE": ~32, "END": ~32, "IF": ~32, "IS": ~32,
     "MUL_OP": ~32, "OR": ~32, "POW_OP": ~32, "RELATION": ~32, "RPAR": ~32, "THEN": ~32,
     "WHEN": ~32},  # 10
    {"$END": ~33, "ADD_OP": ~33, "AND": ~33, "ELSE": ~33, "END": ~33, "IF": ~33, "IS": ~33,
     "MUL_OP": ~33, "OR": ~33, "POW_OP": ~33, "RELATION": ~33, "RPAR": ~33, "THEN": ~33,
     "WHEN": ~33},  # 11
    {"$END": ~28},  # 12
    {},  # 13
    {"$END": ~65, "ADD_OP": ~65, "AND": ~65, "ELSE": ~65, "END": ~65, "IF": ~65, "IS": ~65,
     "MUL_OP": ~65, "OR": ~65, "POW_OP": ~65, "RELATION": ~65, "RPAR": ~65, "THEN": ~65,
     "WHEN": ~65},  # 14
    {"$END": ~58, "ADD_OP": ~58, "AND": ~58, "ELSE": ~58, "END": ~58, "IF": ~58, "IS": ~58,
     "MUL_OP": ~58, "OR": ~58, "RELATION": ~58, "RPAR": ~58, "THEN": ~58, "WHEN": ~58},  # 15
    {"$END": ~72, "ADD_OP": ~72, "AND": ~72, "ELSE": ~72, "END": ~72, "IF": ~72, "IS": ~72,
     "MUL_OP": 42, "OR": ~72, "RELATION": ~72, "RPAR": ~72, "THEN": ~72, "WHEN": ~72},  # 16
    {"$END": ~44, "ADD_OP": ~44, "AND": ~44, "ELSE": ~44, "END": ~44, "IF": ~44, "IS": ~44,
     "MUL_OP": ~44, "OR": ~44, "POW_OP": 43, "RELATION": ~44, "RPAR": ~44, "THEN": ~44,
     "WHEN": ~44},  # 17
    {"$END": ~26, "ADD_OP": 44, "ELSE": ~26, "END": ~26, "IF": 45, "RPAR": ~26, "WHEN": ~26},  # 18
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 19
    {"$END": ~34, "ADD_OP": ~34, "ELSE": ~34, "IF": ~34, "MUL_OP": ~34, "POW_OP": ~34,
     "RELATION": ~34, "RPAR": ~34},  # 20
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 21
    {"$END": ~36, "ADD_OP": ~36, "ELSE": ~36, "IF": ~36, "MUL_OP": ~36, "POW_OP": ~36,
     "RELATION": ~36, "RPAR": ~36},  # 22
    {"$END": ~37, "ADD_OP": ~37, "ELSE": ~37, "IF": ~37, "MUL_OP": ~37, "POW_OP": ~37,
     "RELATION": ~37, "RPAR": ~37},  # 23
    {},  # 24
    {"$END": ~67, "ADD_OP": ~67, "ELSE": ~67, "IF": ~67, "MUL_OP": ~67, "POW_OP": ~67,
     "RELATION": ~67, "RPAR": ~67},  # 25
    {"$END": ~60, "ADD_OP": ~60, "ELSE": ~60, "IF": ~60, "MUL_OP": ~60, "RELATION": ~60,
     "RPAR": ~60},  # 26
    {"$END": ~74, "ADD_OP": ~74, "ELSE": ~74, "IF": ~74, "MUL_OP": 48, "RELATION": ~74,
     "RPAR": ~74},  # 27
    {"$END": ~46, "ADD_OP": ~46, "ELSE": ~46, "IF": ~46, "MUL_OP": ~46, "POW_OP": 49,
     "RELATION": ~46, "RPAR": ~46},  # 28
    {"$END": ~4, "ADD_OP": 50},  # 29
    {"ADD_OP": 50, "IF": 51},  # 30
    {},  # 31
    {"WHEN": 52},  # 32
    {},  # 33
    {"$END": ~5},  # 34
    {},  # 35
    {"$END": ~68, "ADD_OP": 50, "IF": 55},  # 36
    {"$END": ~64, "ADD_OP": ~64, "AND": ~64, "ELSE": ~64, "END": ~64, "IF": ~64, "IS": ~64,
     "MUL_OP": ~64, "OR": ~64, "POW_OP": ~64, "RELATION": ~64, "RPAR": ~64, "THEN": ~64,
     "WHEN": ~64},  # 37
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 38
    {"ELSE": 64, "END": 65, "WHEN": 38},  # 39
    {"ELSE": ~1, "END": ~1, "WHEN": ~1},  # 40
    {"RPAR": 67},  # 41
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 42
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 43
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 44
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 45
    {"$END": ~66, "ADD_OP": ~66, "ELSE": ~66, "IF": ~66, "MUL_OP": ~66, "POW_OP": ~66,
     "RELATION": ~66, "RPAR": ~66},  # 46
    {"ADD_OP": 50, "RPAR": 72},  # 47
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 48
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 49
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 50
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 51
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 80, "NAME": 81, "NOT": 82,
     "NUMBER": 83},  # 52
    {"ELSE": 95, "END": 96, "WHEN": 52},  # 53
    {"ELSE": ~3, "END": ~3, "WHEN": ~3},  # 54
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 55
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 56
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 57
    {"AND": ~53, "ELSE": ~53, "OR": ~53, "RPAR": ~53, "THEN": ~53},  # 58
    {"OR": 102, "THEN": 103},  # 59
    {"AND": 104, "ELSE": ~21, "OR": ~21, "RPAR": ~21, "THEN": ~21},  # 60
    {"AND": ~25, "ELSE": ~25, "OR": ~25, "RPAR": ~25, "THEN": ~25},  # 61
    {"AND": ~41, "ELSE": ~41, "OR": ~41, "RPAR": ~41, "THEN": ~41},  # 62
    {"ADD_OP": 44, "IS": 105, "RELATION": 106},  # 63
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 64
    {"$END": ~7, "ADD_OP": ~7, "AND": ~7, "ELSE": ~7, "END": ~7, "IF": ~7, "IS": ~7, "MUL_OP": ~7,
     "OR": ~7, "POW_OP": ~7, "RELATION": ~7, "RPAR": ~7, "THEN": ~7, "WHEN": ~7},  # 65
    {"ELSE": ~0, "END": ~0, "WHEN": ~0},  # 66
    {"$END": ~29, "ADD_OP": ~29, "AND": ~29, "ELSE": ~29, "END": ~29, "IF": ~29, "IS": ~29,
     "MUL_OP": ~29, "OR": ~29, "POW_OP": ~29, "RELATION": ~29, "RPAR": ~29, "THEN": ~29,
     "WHEN": ~29},  # 67
    {"$END": ~59, "ADD_OP": ~59, "AND": ~59, "ELSE": ~59, "END": ~59, "IF": ~59, "IS": ~59,
     "MUL_OP": ~59, "OR": ~59, "RELATION": ~59, "RPAR": ~59, "THEN": ~59, "WHEN": ~59},  # 68
    {"$END": ~45, "ADD_OP": ~45, "AND": ~45, "ELSE": ~45, "END": ~45, "IF": ~45, "IS": ~45,
     "MUL_OP": ~45, "OR": ~45, "RELATION": ~45, "RPAR": ~45, "THEN": ~45, "WHEN": ~45},  # 69
    {"$END": ~73, "ADD_OP": ~73, "AND": ~73, "ELSE": ~73, "END": ~73, "IF": ~73, "IS": ~73,
     "MUL_OP": 42, "OR": ~73, "RELATION": ~73, "RPAR": ~73, "THEN": ~73, "WHEN": ~73},  # 70
    {"ELSE": 108, "OR": 102},  # 71
    {"$END": ~35, "ADD_OP": ~35, "ELSE": ~35, "IF": ~35, "MUL_OP": ~35, "POW_OP": ~35,
     "RELATION": ~35, "RPAR": ~35},  # 72
    {"$END": ~61, "ADD_OP": ~61, "ELSE": ~61, "IF": ~61, "MUL_OP": ~61, "RELATION": ~61,
     "RPAR": ~61},  # 73
    {"$END": ~47, "ADD_OP": ~47, "ELSE": ~47, "IF": ~47, "MUL_OP": ~47, "RELATION": ~47,
     "RPAR": ~47},  # 74
    {"$END": ~75, "ADD_OP": ~75, "ELSE": ~75, "IF": ~75, "MUL_OP": 48, "RELATION": ~75,
     "RPAR": ~75},  # 75
    {"ELSE": 109},  # 76
    {"ADD_OP": 50, "RELATION": 110},  # 77
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 78
    {"ADD_OP": ~10, "AND": ~10, "ELSE": ~10, "END": ~10, "IS": ~10, "MUL_OP": ~10, "OR": ~10,
     "POW_OP": ~10, "RELATION": ~10, "RPAR": ~10, "THEN": ~10, "WHEN": ~10},  # 79
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 80, "NAME": 81, "NOT": 82,
     "NUMBER": 83},  # 80
    {"ADD_OP": ~12, "AND": ~12, "ELSE": ~12, "END": ~12, "IS": ~12, "MUL_OP": ~12, "OR": ~12,
     "POW_OP": ~12, "RELATION": ~12, "RPAR": ~12, "THEN": ~12, "WHEN": ~12},  # 81
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 80, "NAME": 81, "NOT": 82,
     "NUMBER": 83},  # 82
    {"ADD_OP": ~13, "AND": ~13, "ELSE": ~13, "END": ~13, "IS": ~13, "MUL_OP": ~13, "OR": ~13,
     "POW_OP": ~13, "RELATION": ~13, "RPAR": ~13, "THEN": ~13, "WHEN": ~13},  # 83
    {"ADD_OP": ~14, "AND": ~14, "ELSE": ~14, "END": ~14, "IS": ~14, "MUL_OP": ~14, "OR": ~14,
     "POW_OP": ~14, "RELATION": ~14, "RPAR": ~14, "THEN": ~14, "WHEN": ~14},  # 84
    {"ADD_OP": ~63, "AND": ~63, "ELSE": ~63, "END": ~63, "IS": ~63, "MUL_OP": ~63, "OR": ~63,
     "POW_OP": ~63, "RELATION": ~63, "RPAR": ~63, "THEN": ~63, "WHEN": ~63},  # 85
    {"AND": ~49, "OR": ~49, "RPAR": ~49, "THEN": ~49},  # 86
    {"OR": 116, "THEN": 117},  # 87
    {"AND": 118, "OR": ~19, "RPAR": ~19, "THEN": ~19},  # 88
    {"AND": ~23, "OR": ~23, "RPAR": ~23, "THEN": ~23},  # 89
    {"ADD_OP": ~56, "AND": ~56, "ELSE": ~56, "END": ~56, "IS": ~56, "MUL_OP": ~56, "OR": ~56,
     "RELATION": ~56, "RPAR": ~56, "THEN": ~56, "WHEN": ~56},  # 90
    {"AND": ~39, "OR": ~39, "RPAR": ~39, "THEN": ~39},  # 91
    {"ADD_OP": ~70, "AND": ~70, "ELSE": ~70, "END": ~70, "IS": ~70, "MUL_OP": 119, "OR": ~70,
     "RELATION": ~70, "RPAR": ~70, "THEN": ~70, "WHEN": ~70},  # 92
    {"ADD_OP": ~42, "AND": ~42, "ELSE": ~42, "END": ~42, "IS": ~42, "MUL_OP": ~42, "OR": ~42,
     "POW_OP": 120, "RELATION": ~42, "RPAR": ~42, "THEN": ~42, "WHEN": ~42},  # 93
    {"ADD_OP": 121, "IS": 122, "RELATION": 123},  # 94
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 95
    {"$END": ~9, "ADD_OP": ~9, "AND": ~9, "ELSE": ~9, "END": ~9, "IS": ~9, "MUL_OP": ~9, "OR": ~9,
     "POW_OP": ~9, "RELATION": ~9, "RPAR": ~9, "THEN": ~9, "WHEN": ~9},  # 96
    {"ELSE": ~2, "END": ~2, "WHEN": ~2},  # 97
    {"ELSE": 125},  # 98
    {"OR": 102, "RPAR": 126},  # 99
    {"ADD_OP": 44, "IF": 45, "IS": 105, "RELATION": 106, "RPAR": ~26},  # 100
    {"AND": ~40, "ELSE": ~40, "OR": ~40, "RPAR": ~40, "THEN": ~40},  # 101
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 102
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 103
    {"ADD_OP": 5, "CASE": 6, "LPAR": 56, "NAME": 8, "NOT": 57, "NULL": 9, "NUMBER": 10},  # 104
    {"NOT": 130, "NULL": 131},  # 105
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 106
    {"END": 133},  # 107
    {"ADD_OP": 5, "CASE": 6, "LPAR": 7, "NAME": 8, "NULL": 9, "NUMBER": 10},  # 108
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 109
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 110
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 111
    {"ADD_OP": ~62, "AND": ~62, "ELSE": ~62, "END": ~62, "IS": ~62, "MUL_OP": ~62, "OR": ~62,
     "POW_OP": ~62, "RELATION": ~62, "RPAR": ~62, "THEN": ~62, "WHEN": ~62},  # 112
    {"OR": 116, "RPAR": 138},  # 113
    {"ADD_OP": 121, "IS": 122, "RELATION": 123, "RPAR": 139},  # 114
    {"AND": ~38, "OR": ~38, "RPAR": ~38, "THEN": ~38},  # 115
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 80, "NAME": 81, "NOT": 82,
     "NUMBER": 83},  # 116
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 117
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 80, "NAME": 81, "NOT": 82,
     "NUMBER": 83},  # 118
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 119
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 120
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 121
    {"NOT": 146, "NULL": 147},  # 122
    {"ADD_OP": 78, "CASE": 32, "LEGACY_NULL": 79, "LPAR": 111, "NAME": 81, "NUMBER": 83},  # 123
    {"ADD_OP": 121, "END": 149},  # 124
    {"ADD_OP": 19, "LEGACY_NULL": 20, "LPAR": 21, "NAME": 22, "NUMBER": 23},  # 125
    {"AND": ~52, "ELSE": ~52, "OR": ~52, "RPAR": ~52, "THEN": ~52},  # 126
    {"AND": 104, "ELSE": ~20, "OR": ~20, "RPAR": ~20, "THEN": ~20},  # 127
    {"ELSE": ~77, "END": ~77, "WHEN": ~77},  # 128
    {"AND": ~24, "ELSE": ~24, "OR": ~24, "RPAR": ~24, "THEN": ~24},  # 129
    {"NULL": 151},  # 130
    {"AND": ~55, "ELSE": ~55, "OR": ~55, "RPAR": ~55, "THEN": ~55},  # 131
    {"ADD_OP": 44, "AND": ~16, "ELSE": ~16, "OR": ~16, "RPAR": ~16, "THEN": ~16},  # 132
    {"$END": ~6, "ADD_OP": ~6, "AND": ~6, "ELSE": ~6, "END": ~6, "IF": ~6, "IS": ~6, "MUL_OP": ~6,
     "OR": ~6, "POW_OP": ~6, "RELATION": ~6, "RPAR": ~6, "THEN": ~6, "WHEN": ~6},  # 133
    {"$END": ~27, "ELSE": ~27, "END": ~27, "RPAR": ~27, "WHEN": ~27},  # 134
    {"$END": ~76, "ADD_OP": 50},  # 135
    {"ADD_OP": 50, "ELSE": ~17},  # 136
    {"ADD_OP": 121, "RPAR": 139},  # 137
    {"AND": ~48, "OR": ~48, "RPAR": ~48, "THEN": ~48},  # 138
    {"ADD_OP": ~11, "AND": ~11, "ELSE": ~11, "END": ~11, "IS": ~11, "MUL_OP": ~11, "OR": ~11,
     "POW_OP": ~11, "RELATION": ~11, "RPAR": ~11, "THEN": ~11, "WHEN": ~11},  # 139
    {"AND": 118, "OR": ~18, "RPAR": ~18, "THEN": ~18},  # 140
    {"ADD_OP": 121, "ELSE": ~78, "END": ~78, "WHEN": ~78},  # 141
    {"AND": ~22, "OR": ~22, "RPAR": ~22, "THEN": ~22},  # 142
    {"ADD_OP": ~57, "AND": ~57, "ELSE": ~57, "END": ~57, "IS": ~57, "MUL_OP": ~57, "OR": ~57,
     "RELATION": ~57, "RPAR": ~57, "THEN": ~57, "WHEN": ~57},  # 143
    {"ADD_OP": ~43, "AND": ~43, "ELSE": ~43, "END": ~43, "IS": ~43, "MUL_OP": ~43, "OR": ~43,
     "RELATION": ~43, "RPAR": ~43, "THEN": ~43, "WHEN": ~43},  # 144
    {"ADD_OP": ~71, "AND": ~71, "ELSE": ~71, "END": ~71, "IS": ~71, "MUL_OP": 119, "OR": ~71,
     "RELATION": ~71, "RPAR": ~71, "THEN": ~71, "WHEN": ~71},  # 145
    {"NULL": 152},  # 146
    {"AND": ~51, "OR": ~51, "RPAR": ~51, "THEN": ~51},  # 147
    {"ADD_OP": 121, "AND": ~15, "OR": ~15, "RPAR": ~15, "THEN": ~15},  # 148
    {"$END": ~8, "ADD_OP": ~8, "AND": ~8, "ELSE": ~8, "END": ~8, "IS": ~8, "MUL_OP": ~8, "OR": ~8,
     "POW_OP": ~8, "RELATION": ~8, "RPAR": ~8, "THEN": ~8, "WHEN": ~8},  # 149
    {"$END": ~69, "ADD_OP": 50},  # 150
    {"AND": ~54, "ELSE": ~54, "OR": ~54, "RPAR": ~54, "THEN": ~54},  # 151
    {"AND": ~50, "OR": ~50, "RPAR": ~50, "THEN": ~50},  # 152
)

#: State -> nonterminal -> (the state to go to after reducing to that nonterminal,
#: {lookahead: the state reached after the one-child reductions such as
#: `sum: product` that this lookahead then calls for}).
GOTOS: tuple[dict[str, tuple[int, dict[str, int]]], ...] = (
    {  # 0
        "case_expression{expression,full_operand}": (11, {"$END": 13, "ADD_OP": 18, "IF": 18,
         "MUL_OP": 16, "POW_OP": 17}),
        "expression": (12, {"$END": 13}),
        "full": (13, {}),
        "full_operand": (14, {"$END": 13, "ADD_OP": 18, "IF": 18, "MUL_OP": 16, "POW_OP": 17}),
        "power{full_operand}": (15, {"$END": 13, "ADD_OP": 18, "IF": 18, "MUL_OP": 16}),
        "product{full_operand}": (16, {"$END": 13, "ADD_OP": 18, "IF": 18}),
        "signed{full_operand}": (17, {"$END": 13, "ADD_OP": 18, "IF": 18, "MUL_OP": 16}),
        "sum{full_operand}": (18, {"$END": 13}),
    },
    {  # 1
        "arithmetic": (24, {}),
        "legacy_operand": (25, {"$END": 24, "ADD_OP": 29, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"$END": 24, "ADD_OP": 29, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"$END": 24, "ADD_OP": 29}),
        "signed{legacy_operand}": (28, {"$END": 24, "ADD_OP": 29, "MUL_OP": 27}),
        "sum{legacy_operand}": (29, {"$END": 24}),
    },
    {  # 2
        "legacy_operand": (25, {"ADD_OP": 30, "IF": 30, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"ADD_OP": 30, "IF": 30, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"ADD_OP": 30, "IF": 30}),
        "signed{legacy_operand}": (28, {"ADD_OP": 30, "IF": 30, "MUL_OP": 27}),
        "sum{legacy_operand}": (30, {}),
        "ternary": (31, {}),
    },
    {  # 3
        "case": (33, {}),
        "case_expression{sum{case_operand},case_operand}": (34, {"$END": 33}),
    },
    {  # 4
        "legacy_operand": (25, {"$END": 35, "ADD_OP": 36, "IF": 36, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"$END": 35, "ADD_OP": 36, "IF": 36, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"$END": 35, "ADD_OP": 36, "IF": 36}),
        "signed{legacy_operand}": (28, {"$END": 35, "ADD_OP": 36, "IF": 36, "MUL_OP": 27}),
        "simple": (35, {}),
        "sum{legacy_operand}": (36, {"$END": 35}),
    },
    {  # 5
        "case_expression{expression,full_operand}": (11, {"$END": 37, "ADD_OP": 37, "AND": 37,
         "ELSE": 37, "END": 37, "IF": 37, "IS": 37, "MUL_OP": 37, "OR": 37, "POW_OP": 37,
         "RELATION": 37, "RPAR": 37, "THEN": 37, "WHEN": 37}),
        "full_operand": (14, {"$END": 37, "ADD_OP": 37, "AND": 37, "ELSE": 37, "END": 37, "IF": 37,
         "IS": 37, "MUL_OP": 37, "OR": 37, "POW_OP": 37, "RELATION": 37, "RPAR": 37, "THEN": 37,
         "WHEN": 37}),
        "signed{full_operand}": (37, {}),
    },
    {  # 6
        "__case_expression{expression,full_operand}_plus_1": (39, {}),
        "when_arm{expression,full_operand}": (40, {}),
    },
    {  # 7
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 18, "IF": 18, "MUL_OP": 16,
         "POW_OP": 17, "RPAR": 41}),
        "expression": (41, {}),
        "full_operand": (14, {"ADD_OP": 18, "IF": 18, "MUL_OP": 16, "POW_OP": 17, "RPAR": 41}),
        "power{full_operand}": (15, {"ADD_OP": 18, "IF": 18, "MUL_OP": 16, "RPAR": 41}),
        "product{full_operand}": (16, {"ADD_OP": 18, "IF": 18, "RPAR": 41}),
        "signed{full_operand}": (17, {"ADD_OP": 18, "IF": 18, "MUL_OP": 16, "RPAR": 41}),
        "sum{full_operand}": (18, {"RPAR": 41}),
    },
    {},  # 8
    {},  # 9
    {},  # 10
    {},  # 11
    {},  # 12
    {},  # 13
    {},  # 14
    {},  # 15
    {},  # 16
    {},  # 17
    {},  # 18
    {  # 19
        "legacy_operand": (25, {"$END": 46, "ADD_OP": 46, "ELSE": 46, "IF": 46, "MUL_OP": 46,
         "POW_OP": 46, "RELATION": 46, "RPAR": 46}),
        "signed{legacy_operand}": (46, {}),
    },
    {},  # 20
    {  # 21
        "legacy_operand": (25, {"ADD_OP": 47, "MUL_OP": 27, "POW_OP": 28, "RPAR": 47}),
        "power{legacy_operand}": (26, {"ADD_OP": 47, "MUL_OP": 27, "RPAR": 47}),
        "product{legacy_operand}": (27, {"ADD_OP": 47, "RPAR": 47}),
        "signed{legacy_operand}": (28, {"ADD_OP": 47, "MUL_OP": 27, "RPAR": 47}),
        "sum{legacy_operand}": (47, {}),
    },
    {},  # 22
    {},  # 23
    {},  # 24
    {},  # 25
    {},  # 26
    {},  # 27
    {},  # 28
    {},  # 29
    {},  # 30
    {},  # 31
    {  # 32
        "__case_expression{sum{case_operand},case_operand}_plus_0": (53, {}),
        "when_arm{sum{case_operand},case_operand}": (54, {}),
    },
    {},  # 33
    {},  # 34
    {},  # 35
    {},  # 36
    {},  # 37
    {  # 38
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16,
         "POW_OP": 17, "RELATION": 63}),
        "comparison{full_operand}": (58, {"AND": 60, "OR": 59, "THEN": 59}),
        "condition{full_operand}": (59, {}),
        "conjunction{full_operand}": (60, {"OR": 59, "THEN": 59}),
        "full_operand": (14, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "POW_OP": 17, "RELATION": 63}),
        "negation{full_operand}": (61, {"AND": 60, "OR": 59, "THEN": 59}),
        "power{full_operand}": (15, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "predicate{full_operand}": (62, {"AND": 60, "OR": 59, "THEN": 59}),
        "product{full_operand}": (16, {"ADD_OP": 63, "IS": 63, "RELATION": 63}),
        "signed{full_operand}": (17, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "sum{full_operand}": (63, {}),
    },
    {  # 39
        "when_arm{expression,full_operand}": (66, {}),
    },
    {},  # 40
    {},  # 41
    {  # 42
        "case_expression{expression,full_operand}": (11, {"$END": 68, "ADD_OP": 68, "AND": 68,
         "ELSE": 68, "END": 68, "IF": 68, "IS": 68, "MUL_OP": 68, "OR": 68, "POW_OP": 17,
         "RELATION": 68, "RPAR": 68, "THEN": 68, "WHEN": 68}),
        "full_operand": (14, {"$END": 68, "ADD_OP": 68, "AND": 68, "ELSE": 68, "END": 68, "IF": 68,
         "IS": 68, "MUL_OP": 68, "OR": 68, "POW_OP": 17, "RELATION": 68, "RPAR": 68, "THEN": 68,
         "WHEN": 68}),
        "power{full_operand}": (68, {}),
        "signed{full_operand}": (17, {"$END": 68, "ADD_OP": 68, "AND": 68, "ELSE": 68, "END": 68,
         "IF": 68, "IS": 68, "MUL_OP": 68, "OR": 68, "RELATION": 68, "RPAR": 68, "THEN": 68,
         "WHEN": 68}),
    },
    {  # 43
        "case_expression{expression,full_operand}": (11, {"$END": 69, "ADD_OP": 69, "AND": 69,
         "ELSE": 69, "END": 69, "IF": 69, "IS": 69, "MUL_OP": 69, "OR": 69, "POW_OP": 17,
         "RELATION": 69, "RPAR": 69, "THEN": 69, "WHEN": 69}),
        "full_operand": (14, {"$END": 69, "ADD_OP": 69, "AND": 69, "ELSE": 69, "END": 69, "IF": 69,
         "IS": 69, "MUL_OP": 69, "OR": 69, "POW_OP": 17, "RELATION": 69, "RPAR": 69, "THEN": 69,
         "WHEN": 69}),
        "power{full_operand}": (69, {}),
        "signed{full_operand}": (17, {"$END": 69, "ADD_OP": 69, "AND": 69, "ELSE": 69, "END": 69,
         "IF": 69, "IS": 69, "MUL_OP": 69, "OR": 69, "RELATION": 69, "RPAR": 69, "THEN": 69,
         "WHEN": 69}),
    },
    {  # 44
        "case_expression{expression,full_operand}": (11, {"$END": 70, "ADD_OP": 70, "AND": 70,
         "ELSE": 70, "END": 70, "IF": 70, "IS": 70, "MUL_OP": 70, "OR": 70, "POW_OP": 17,
         "RELATION": 70, "RPAR": 70, "THEN": 70, "WHEN": 70}),
        "full_operand": (14, {"$END": 70, "ADD_OP": 70, "AND": 70, "ELSE": 70, "END": 70, "IF": 70,
         "IS": 70, "MUL_OP": 70, "OR": 70, "POW_OP": 17, "RELATION": 70, "RPAR": 70, "THEN": 70,
         "WHEN": 70}),
        "power{full_operand}": (15, {"$END": 70, "ADD_OP": 70, "AND": 70, "ELSE": 70, "END": 70,
         "IF": 70, "IS": 70, "MUL_OP": 70, "OR": 70, "RELATION": 70, "RPAR": 70, "THEN": 70,
         "WHEN": 70}),
        "product{full_operand}": (70, {}),
        "signed{full_operand}": (17, {"$END": 70, "ADD_OP": 70, "AND": 70, "ELSE": 70, "END": 70,
         "IF": 70, "IS": 70, "MUL_OP": 70, "OR": 70, "RELATION": 70, "RPAR": 70, "THEN": 70,
         "WHEN": 70}),
    },
    {  # 45
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16,
         "POW_OP": 17, "RELATION": 63}),
        "comparison{full_operand}": (58, {"AND": 60, "ELSE": 71, "OR": 71}),
        "condition{full_operand}": (71, {}),
        "conjunction{full_operand}": (60, {"ELSE": 71, "OR": 71}),
        "full_operand": (14, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "POW_OP": 17, "RELATION": 63}),
        "negation{full_operand}": (61, {"AND": 60, "ELSE": 71, "OR": 71}),
        "power{full_operand}": (15, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "predicate{full_operand}": (62, {"AND": 60, "ELSE": 71, "OR": 71}),
        "product{full_operand}": (16, {"ADD_OP": 63, "IS": 63, "RELATION": 63}),
        "signed{full_operand}": (17, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "sum{full_operand}": (63, {}),
    },
    {},  # 46
    {},  # 47
    {  # 48
        "legacy_operand": (25, {"$END": 73, "ADD_OP": 73, "ELSE": 73, "IF": 73, "MUL_OP": 73,
         "POW_OP": 28, "RELATION": 73, "RPAR": 73}),
        "power{legacy_operand}": (73, {}),
        "signed{legacy_operand}": (28, {"$END": 73, "ADD_OP": 73, "ELSE": 73, "IF": 73,
         "MUL_OP": 73, "RELATION": 73, "RPAR": 73}),
    },
    {  # 49
        "legacy_operand": (25, {"$END": 74, "ADD_OP": 74, "ELSE": 74, "IF": 74, "MUL_OP": 74,
         "POW_OP": 28, "RELATION": 74, "RPAR": 74}),
        "power{legacy_operand}": (74, {}),
        "signed{legacy_operand}": (28, {"$END": 74, "ADD_OP": 74, "ELSE": 74, "IF": 74,
         "MUL_OP": 74, "RELATION": 74, "RPAR": 74}),
    },
    {  # 50
        "legacy_operand": (25, {"$END": 75, "ADD_OP": 75, "ELSE": 75, "IF": 75, "MUL_OP": 75,
         "POW_OP": 28, "RELATION": 75, "RPAR": 75}),
        "power{legacy_operand}": (26, {"$END": 75, "ADD_OP": 75, "ELSE": 75, "IF": 75, "MUL_OP": 75,
         "RELATION": 75, "RPAR": 75}),
        "product{legacy_operand}": (75, {}),
        "signed{legacy_operand}": (28, {"$END": 75, "ADD_OP": 75, "ELSE": 75, "IF": 75,
         "MUL_OP": 75, "RELATION": 75, "RPAR": 75}),
    },
    {  # 51
        "comparison{legacy_operand}": (76, {}),
        "legacy_operand": (25, {"ADD_OP": 77, "MUL_OP": 27, "POW_OP": 28, "RELATION": 77}),
        "power{legacy_operand}": (26, {"ADD_OP": 77, "MUL_OP": 27, "RELATION": 77}),
        "product{legacy_operand}": (27, {"ADD_OP": 77, "RELATION": 77}),
        "signed{legacy_operand}": (28, {"ADD_OP": 77, "MUL_OP": 27, "RELATION": 77}),
        "sum{legacy_operand}": (77, {}),
    },
    {  # 52
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 94, "IS": 94,
         "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "case_operand": (85, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "comparison{case_operand}": (86, {"AND": 88, "OR": 87, "THEN": 87}),
        "condition{case_operand}": (87, {}),
        "conjunction{case_operand}": (88, {"OR": 87, "THEN": 87}),
        "negation{case_operand}": (89, {"AND": 88, "OR": 87, "THEN": 87}),
        "power{case_operand}": (90, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "predicate{case_operand}": (91, {"AND": 88, "OR": 87, "THEN": 87}),
        "product{case_operand}": (92, {"ADD_OP": 94, "IS": 94, "RELATION": 94}),
        "signed{case_operand}": (93, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "sum{case_operand}": (94, {}),
    },
    {  # 53
        "when_arm{sum{case_operand},case_operand}": (97, {}),
    },
    {},  # 54
    {  # 55
        "comparison{legacy_operand}": (98, {}),
        "legacy_operand": (25, {"ADD_OP": 77, "MUL_OP": 27, "POW_OP": 28, "RELATION": 77}),
        "power{legacy_operand}": (26, {"ADD_OP": 77, "MUL_OP": 27, "RELATION": 77}),
        "product{legacy_operand}": (27, {"ADD_OP": 77, "RELATION": 77}),
        "signed{legacy_operand}": (28, {"ADD_OP": 77, "MUL_OP": 27, "RELATION": 77}),
        "sum{legacy_operand}": (77, {}),
    },
    {  # 56
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 100, "IF": 100, "IS": 100,
         "MUL_OP": 16, "POW_OP": 17, "RELATION": 100, "RPAR": 41}),
        "comparison{full_operand}": (58, {"AND": 60, "OR": 99, "RPAR": 99}),
        "condition{full_operand}": (99, {}),
        "conjunction{full_operand}": (60, {"OR": 99, "RPAR": 99}),
        "expression": (41, {}),
        "full_operand": (14, {"ADD_OP": 100, "IF": 100, "IS": 100, "MUL_OP": 16, "POW_OP": 17,
         "RELATION": 100, "RPAR": 41}),
        "negation{full_operand}": (61, {"AND": 60, "OR": 99, "RPAR": 99}),
        "power{full_operand}": (15, {"ADD_OP": 100, "IF": 100, "IS": 100, "MUL_OP": 16,
         "RELATION": 100, "RPAR": 41}),
        "predicate{full_operand}": (62, {"AND": 60, "OR": 99, "RPAR": 99}),
        "product{full_operand}": (16, {"ADD_OP": 100, "IF": 100, "IS": 100, "RELATION": 100,
         "RPAR": 41}),
        "signed{full_operand}": (17, {"ADD_OP": 100, "IF": 100, "IS": 100, "MUL_OP": 16,
         "RELATION": 100, "RPAR": 41}),
        "sum{full_operand}": (100, {"RPAR": 41}),
    },
    {  # 57
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16,
         "POW_OP": 17, "RELATION": 63}),
        "comparison{full_operand}": (58, {"AND": 101, "ELSE": 101, "OR": 101, "RPAR": 101,
         "THEN": 101}),
        "full_operand": (14, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "POW_OP": 17, "RELATION": 63}),
        "negation{full_operand}": (101, {}),
        "power{full_operand}": (15, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "predicate{full_operand}": (62, {"AND": 101, "ELSE": 101, "OR": 101, "RPAR": 101,
         "THEN": 101}),
        "product{full_operand}": (16, {"ADD_OP": 63, "IS": 63, "RELATION": 63}),
        "signed{full_operand}": (17, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "sum{full_operand}": (63, {}),
    },
    {},  # 58
    {},  # 59
    {},  # 60
    {},  # 61
    {},  # 62
    {},  # 63
    {  # 64
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 18, "END": 107, "IF": 18,
         "MUL_OP": 16, "POW_OP": 17}),
        "expression": (107, {}),
        "full_operand": (14, {"ADD_OP": 18, "END": 107, "IF": 18, "MUL_OP": 16, "POW_OP": 17}),
        "power{full_operand}": (15, {"ADD_OP": 18, "END": 107, "IF": 18, "MUL_OP": 16}),
        "product{full_operand}": (16, {"ADD_OP": 18, "END": 107, "IF": 18}),
        "signed{full_operand}": (17, {"ADD_OP": 18, "END": 107, "IF": 18, "MUL_OP": 16}),
        "sum{full_operand}": (18, {"END": 107}),
    },
    {},  # 65
    {},  # 66
    {},  # 67
    {},  # 68
    {},  # 69
    {},  # 70
    {},  # 71
    {},  # 72
    {},  # 73
    {},  # 74
    {},  # 75
    {},  # 76
    {},  # 77
    {  # 78
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 112, "AND": 112,
         "ELSE": 112, "END": 112, "IS": 112, "MUL_OP": 112, "OR": 112, "POW_OP": 112,
         "RELATION": 112, "RPAR": 112, "THEN": 112, "WHEN": 112}),
        "case_operand": (85, {"ADD_OP": 112, "AND": 112, "ELSE": 112, "END": 112, "IS": 112,
         "MUL_OP": 112, "OR": 112, "POW_OP": 112, "RELATION": 112, "RPAR": 112, "THEN": 112,
         "WHEN": 112}),
        "signed{case_operand}": (112, {}),
    },
    {},  # 79
    {  # 80
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 114, "IS": 114,
         "MUL_OP": 92, "POW_OP": 93, "RELATION": 114, "RPAR": 114}),
        "case_operand": (85, {"ADD_OP": 114, "IS": 114, "MUL_OP": 92, "POW_OP": 93, "RELATION": 114,
         "RPAR": 114}),
        "comparison{case_operand}": (86, {"AND": 88, "OR": 113, "RPAR": 113}),
        "condition{case_operand}": (113, {}),
        "conjunction{case_operand}": (88, {"OR": 113, "RPAR": 113}),
        "negation{case_operand}": (89, {"AND": 88, "OR": 113, "RPAR": 113}),
        "power{case_operand}": (90, {"ADD_OP": 114, "IS": 114, "MUL_OP": 92, "RELATION": 114,
         "RPAR": 114}),
        "predicate{case_operand}": (91, {"AND": 88, "OR": 113, "RPAR": 113}),
        "product{case_operand}": (92, {"ADD_OP": 114, "IS": 114, "RELATION": 114, "RPAR": 114}),
        "signed{case_operand}": (93, {"ADD_OP": 114, "IS": 114, "MUL_OP": 92, "RELATION": 114,
         "RPAR": 114}),
        "sum{case_operand}": (114, {}),
    },
    {},  # 81
    {  # 82
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 94, "IS": 94,
         "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "case_operand": (85, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "comparison{case_operand}": (86, {"AND": 115, "OR": 115, "RPAR": 115, "THEN": 115}),
        "negation{case_operand}": (115, {}),
        "power{case_operand}": (90, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "predicate{case_operand}": (91, {"AND": 115, "OR": 115, "RPAR": 115, "THEN": 115}),
        "product{case_operand}": (92, {"ADD_OP": 94, "IS": 94, "RELATION": 94}),
        "signed{case_operand}": (93, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "sum{case_operand}": (94, {}),
    },
    {},  # 83
    {},  # 84
    {},  # 85
    {},  # 86
    {},  # 87
    {},  # 88
    {},  # 89
    {},  # 90
    {},  # 91
    {},  # 92
    {},  # 93
    {},  # 94
    {  # 95
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 124, "END": 124,
         "MUL_OP": 92, "POW_OP": 93}),
        "case_operand": (85, {"ADD_OP": 124, "END": 124, "MUL_OP": 92, "POW_OP": 93}),
        "power{case_operand}": (90, {"ADD_OP": 124, "END": 124, "MUL_OP": 92}),
        "product{case_operand}": (92, {"ADD_OP": 124, "END": 124}),
        "signed{case_operand}": (93, {"ADD_OP": 124, "END": 124, "MUL_OP": 92}),
        "sum{case_operand}": (124, {}),
    },
    {},  # 96
    {},  # 97
    {},  # 98
    {},  # 99
    {},  # 100
    {},  # 101
    {  # 102
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16,
         "POW_OP": 17, "RELATION": 63}),
        "comparison{full_operand}": (58, {"AND": 127, "ELSE": 127, "OR": 127, "RPAR": 127,
         "THEN": 127}),
        "conjunction{full_operand}": (127, {}),
        "full_operand": (14, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "POW_OP": 17, "RELATION": 63}),
        "negation{full_operand}": (61, {"AND": 127, "ELSE": 127, "OR": 127, "RPAR": 127,
         "THEN": 127}),
        "power{full_operand}": (15, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "predicate{full_operand}": (62, {"AND": 127, "ELSE": 127, "OR": 127, "RPAR": 127,
         "THEN": 127}),
        "product{full_operand}": (16, {"ADD_OP": 63, "IS": 63, "RELATION": 63}),
        "signed{full_operand}": (17, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "sum{full_operand}": (63, {}),
    },
    {  # 103
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 18, "ELSE": 128, "END": 128,
         "IF": 18, "MUL_OP": 16, "POW_OP": 17, "WHEN": 128}),
        "expression": (128, {}),
        "full_operand": (14, {"ADD_OP": 18, "ELSE": 128, "END": 128, "IF": 18, "MUL_OP": 16,
         "POW_OP": 17, "WHEN": 128}),
        "power{full_operand}": (15, {"ADD_OP": 18, "ELSE": 128, "END": 128, "IF": 18, "MUL_OP": 16,
         "WHEN": 128}),
        "product{full_operand}": (16, {"ADD_OP": 18, "ELSE": 128, "END": 128, "IF": 18,
         "WHEN": 128}),
        "signed{full_operand}": (17, {"ADD_OP": 18, "ELSE": 128, "END": 128, "IF": 18, "MUL_OP": 16,
         "WHEN": 128}),
        "sum{full_operand}": (18, {"ELSE": 128, "END": 128, "WHEN": 128}),
    },
    {  # 104
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16,
         "POW_OP": 17, "RELATION": 63}),
        "comparison{full_operand}": (58, {"AND": 129, "ELSE": 129, "OR": 129, "RPAR": 129,
         "THEN": 129}),
        "full_operand": (14, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "POW_OP": 17, "RELATION": 63}),
        "negation{full_operand}": (129, {}),
        "power{full_operand}": (15, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "predicate{full_operand}": (62, {"AND": 129, "ELSE": 129, "OR": 129, "RPAR": 129,
         "THEN": 129}),
        "product{full_operand}": (16, {"ADD_OP": 63, "IS": 63, "RELATION": 63}),
        "signed{full_operand}": (17, {"ADD_OP": 63, "IS": 63, "MUL_OP": 16, "RELATION": 63}),
        "sum{full_operand}": (63, {}),
    },
    {},  # 105
    {  # 106
        "case_expression{expression,full_operand}": (11, {"ADD_OP": 132, "AND": 132, "ELSE": 132,
         "MUL_OP": 16, "OR": 132, "POW_OP": 17, "RPAR": 132, "THEN": 132}),
        "full_operand": (14, {"ADD_OP": 132, "AND": 132, "ELSE": 132, "MUL_OP": 16, "OR": 132,
         "POW_OP": 17, "RPAR": 132, "THEN": 132}),
        "power{full_operand}": (15, {"ADD_OP": 132, "AND": 132, "ELSE": 132, "MUL_OP": 16,
         "OR": 132, "RPAR": 132, "THEN": 132}),
        "product{full_operand}": (16, {"ADD_OP": 132, "AND": 132, "ELSE": 132, "OR": 132,
         "RPAR": 132, "THEN": 132}),
        "signed{full_operand}": (17, {"ADD_OP": 132, "AND": 132, "ELSE": 132, "MUL_OP": 16,
         "OR": 132, "RPAR": 132, "THEN": 132}),
        "sum{full_operand}": (132, {}),
    },
    {},  # 107
    {  # 108
        "case_expression{expression,full_operand}": (11, {"$END": 134, "ADD_OP": 18, "ELSE": 134,
         "END": 134, "IF": 18, "MUL_OP": 16, "POW_OP": 17, "RPAR": 134, "WHEN": 134}),
        "expression": (134, {}),
        "full_operand": (14, {"$END": 134, "ADD_OP": 18, "ELSE": 134, "END": 134, "IF": 18,
         "MUL_OP": 16, "POW_OP": 17, "RPAR": 134, "WHEN": 134}),
        "power{full_operand}": (15, {"$END": 134, "ADD_OP": 18, "ELSE": 134, "END": 134, "IF": 18,
         "MUL_OP": 16, "RPAR": 134, "WHEN": 134}),
        "product{full_operand}": (16, {"$END": 134, "ADD_OP": 18, "ELSE": 134, "END": 134, "IF": 18,
         "RPAR": 134, "WHEN": 134}),
        "signed{full_operand}": (17, {"$END": 134, "ADD_OP": 18, "ELSE": 134, "END": 134, "IF": 18,
         "MUL_OP": 16, "RPAR": 134, "WHEN": 134}),
        "sum{full_operand}": (18, {"$END": 134, "ELSE": 134, "END": 134, "RPAR": 134, "WHEN": 134}),
    },
    {  # 109
        "legacy_operand": (25, {"$END": 135, "ADD_OP": 135, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"$END": 135, "ADD_OP": 135, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"$END": 135, "ADD_OP": 135}),
        "signed{legacy_operand}": (28, {"$END": 135, "ADD_OP": 135, "MUL_OP": 27}),
        "sum{legacy_operand}": (135, {}),
    },
    {  # 110
        "legacy_operand": (25, {"ADD_OP": 136, "ELSE": 136, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"ADD_OP": 136, "ELSE": 136, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"ADD_OP": 136, "ELSE": 136}),
        "signed{legacy_operand}": (28, {"ADD_OP": 136, "ELSE": 136, "MUL_OP": 27}),
        "sum{legacy_operand}": (136, {}),
    },
    {  # 111
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 137, "MUL_OP": 92,
         "POW_OP": 93, "RPAR": 137}),
        "case_operand": (85, {"ADD_OP": 137, "MUL_OP": 92, "POW_OP": 93, "RPAR": 137}),
        "power{case_operand}": (90, {"ADD_OP": 137, "MUL_OP": 92, "RPAR": 137}),
        "product{case_operand}": (92, {"ADD_OP": 137, "RPAR": 137}),
        "signed{case_operand}": (93, {"ADD_OP": 137, "MUL_OP": 92, "RPAR": 137}),
        "sum{case_operand}": (137, {}),
    },
    {},  # 112
    {},  # 113
    {},  # 114
    {},  # 115
    {  # 116
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 94, "IS": 94,
         "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "case_operand": (85, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "comparison{case_operand}": (86, {"AND": 140, "OR": 140, "RPAR": 140, "THEN": 140}),
        "conjunction{case_operand}": (140, {}),
        "negation{case_operand}": (89, {"AND": 140, "OR": 140, "RPAR": 140, "THEN": 140}),
        "power{case_operand}": (90, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "predicate{case_operand}": (91, {"AND": 140, "OR": 140, "RPAR": 140, "THEN": 140}),
        "product{case_operand}": (92, {"ADD_OP": 94, "IS": 94, "RELATION": 94}),
        "signed{case_operand}": (93, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "sum{case_operand}": (94, {}),
    },
    {  # 117
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 141, "ELSE": 141,
         "END": 141, "MUL_OP": 92, "POW_OP": 93, "WHEN": 141}),
        "case_operand": (85, {"ADD_OP": 141, "ELSE": 141, "END": 141, "MUL_OP": 92, "POW_OP": 93,
         "WHEN": 141}),
        "power{case_operand}": (90, {"ADD_OP": 141, "ELSE": 141, "END": 141, "MUL_OP": 92,
         "WHEN": 141}),
        "product{case_operand}": (92, {"ADD_OP": 141, "ELSE": 141, "END": 141, "WHEN": 141}),
        "signed{case_operand}": (93, {"ADD_OP": 141, "ELSE": 141, "END": 141, "MUL_OP": 92,
         "WHEN": 141}),
        "sum{case_operand}": (141, {}),
    },
    {  # 118
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 94, "IS": 94,
         "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "case_operand": (85, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "POW_OP": 93, "RELATION": 94}),
        "comparison{case_operand}": (86, {"AND": 142, "OR": 142, "RPAR": 142, "THEN": 142}),
        "negation{case_operand}": (142, {}),
        "power{case_operand}": (90, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "predicate{case_operand}": (91, {"AND": 142, "OR": 142, "RPAR": 142, "THEN": 142}),
        "product{case_operand}": (92, {"ADD_OP": 94, "IS": 94, "RELATION": 94}),
        "signed{case_operand}": (93, {"ADD_OP": 94, "IS": 94, "MUL_OP": 92, "RELATION": 94}),
        "sum{case_operand}": (94, {}),
    },
    {  # 119
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 143, "AND": 143,
         "ELSE": 143, "END": 143, "IS": 143, "MUL_OP": 143, "OR": 143, "POW_OP": 93,
         "RELATION": 143, "RPAR": 143, "THEN": 143, "WHEN": 143}),
        "case_operand": (85, {"ADD_OP": 143, "AND": 143, "ELSE": 143, "END": 143, "IS": 143,
         "MUL_OP": 143, "OR": 143, "POW_OP": 93, "RELATION": 143, "RPAR": 143, "THEN": 143,
         "WHEN": 143}),
        "power{case_operand}": (143, {}),
        "signed{case_operand}": (93, {"ADD_OP": 143, "AND": 143, "ELSE": 143, "END": 143, "IS": 143,
         "MUL_OP": 143, "OR": 143, "RELATION": 143, "RPAR": 143, "THEN": 143, "WHEN": 143}),
    },
    {  # 120
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 144, "AND": 144,
         "ELSE": 144, "END": 144, "IS": 144, "MUL_OP": 144, "OR": 144, "POW_OP": 93,
         "RELATION": 144, "RPAR": 144, "THEN": 144, "WHEN": 144}),
        "case_operand": (85, {"ADD_OP": 144, "AND": 144, "ELSE": 144, "END": 144, "IS": 144,
         "MUL_OP": 144, "OR": 144, "POW_OP": 93, "RELATION": 144, "RPAR": 144, "THEN": 144,
         "WHEN": 144}),
        "power{case_operand}": (144, {}),
        "signed{case_operand}": (93, {"ADD_OP": 144, "AND": 144, "ELSE": 144, "END": 144, "IS": 144,
         "MUL_OP": 144, "OR": 144, "RELATION": 144, "RPAR": 144, "THEN": 144, "WHEN": 144}),
    },
    {  # 121
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 145, "AND": 145,
         "ELSE": 145, "END": 145, "IS": 145, "MUL_OP": 145, "OR": 145, "POW_OP": 93,
         "RELATION": 145, "RPAR": 145, "THEN": 145, "WHEN": 145}),
        "case_operand": (85, {"ADD_OP": 145, "AND": 145, "ELSE": 145, "END": 145, "IS": 145,
         "MUL_OP": 145, "OR": 145, "POW_OP": 93, "RELATION": 145, "RPAR": 145, "THEN": 145,
         "WHEN": 145}),
        "power{case_operand}": (90, {"ADD_OP": 145, "AND": 145, "ELSE": 145, "END": 145, "IS": 145,
         "MUL_OP": 145, "OR": 145, "RELATION": 145, "RPAR": 145, "THEN": 145, "WHEN": 145}),
        "product{case_operand}": (145, {}),
        "signed{case_operand}": (93, {"ADD_OP": 145, "AND": 145, "ELSE": 145, "END": 145, "IS": 145,
         "MUL_OP": 145, "OR": 145, "RELATION": 145, "RPAR": 145, "THEN": 145, "WHEN": 145}),
    },
    {},  # 122
    {  # 123
        "case_expression{sum{case_operand},case_operand}": (84, {"ADD_OP": 148, "AND": 148,
         "MUL_OP": 92, "OR": 148, "POW_OP": 93, "RPAR": 148, "THEN": 148}),
        "case_operand": (85, {"ADD_OP": 148, "AND": 148, "MUL_OP": 92, "OR": 148, "POW_OP": 93,
         "RPAR": 148, "THEN": 148}),
        "power{case_operand}": (90, {"ADD_OP": 148, "AND": 148, "MUL_OP": 92, "OR": 148,
         "RPAR": 148, "THEN": 148}),
        "product{case_operand}": (92, {"ADD_OP": 148, "AND": 148, "OR": 148, "RPAR": 148,
         "THEN": 148}),
        "signed{case_operand}": (93, {"ADD_OP": 148, "AND": 148, "MUL_OP": 92, "OR": 148,
         "RPAR": 148, "THEN": 148}),
        "sum{case_operand}": (148, {}),
    },
    {},  # 124
    {  # 125
        "legacy_operand": (25, {"$END": 150, "ADD_OP": 150, "MUL_OP": 27, "POW_OP": 28}),
        "power{legacy_operand}": (26, {"$END": 150, "ADD_OP": 150, "MUL_OP": 27}),
        "product{legacy_operand}": (27, {"$END": 150, "ADD_OP": 150}),
        "signed{legacy_operand}": (28, {"$END": 150, "ADD_OP": 150, "MUL_OP": 27}),
        "sum{legacy_operand}": (150, {}),
    },
    {},  # 126
    {},  # 127
    {},  # 128
    {},  # 129
    {},  # 130
    {},  # 131
    {},  # 132
    {},  # 133
    {},  # 134
    {},  # 135
    {},  # 136
    {},  # 137
    {},  # 138
    {},  # 139
    {},  # 140
    {},  # 141
    {},  # 142
    {},  # 143
    {},  # 144
    {},  # 145
    {},  # 146
    {},  # 147
    {},  # 148
    {},  # 149
    {},  # 150
    {},  # 151
    {},  # 152
)

#: The distinct keyword decisions: word -> the terminal it is (see KEYWORDS_IN_STATE).
KEYWORD_KINDS: tuple[dict[str, str], ...] = (
    {"and": "NAME", "case": "CASE", "else": "NAME", "end": "NAME", "if": "NAME", "is": "NAME",
     "not": "NAME", "NULL": "NULL", "null": "NULL", "or": "NAME", "then": "NAME",
     "when": "NAME"},  # 0
    {"and": "NAME", "case": "NAME", "else": "NAME", "end": "NAME", "if": "NAME", "is": "NAME",
     "not": "NAME", "NULL": "LEGACY_NULL", "null": "NAME", "or": "NAME", "then": "NAME",
     "when": "NAME"},  # 1
    {"and": "AND", "case": "CASE", "else": "ELSE", "end": "END", "if": "IF", "is": "IS",
     "not": "NOT", "NULL": "LEGACY_NULL", "null": "NULL", "or": "OR", "then": "THEN",
     "when": "WHEN"},  # 2
    {"and": "NAME", "case": "CASE", "else": "NAME", "end": "NAME", "if": "NAME", "is": "NAME",
     "not": "NOT", "NULL": "NULL", "null": "NULL", "or": "NAME", "then": "NAME",
     "when": "NAME"},  # 3
    {"and": "NAME", "case": "CASE", "else": "NAME", "end": "NAME", "if": "NAME", "is": "NAME",
     "not": "NOT", "NULL": "LEGACY_NULL", "null": "NAME", "or": "NAME", "then": "NAME",
     "when": "NAME"},  # 4
    {"and": "NAME", "case": "CASE", "else": "NAME", "end": "NAME", "if": "NAME", "is": "NAME",
     "not": "NAME", "NULL": "LEGACY_NULL", "null": "NAME", "or": "NAME", "then": "NAME",
     "when": "NAME"},  # 5
    {"and": "AND", "case": "CASE", "else": "ELSE", "end": "END", "if": "IF", "is": "IS",
     "not": "NOT", "NULL": "NULL", "null": "NULL", "or": "OR", "then": "THEN", "when": "WHEN"},  # 6
)

#: State -> index into KEYWORD_KINDS: in that state a word spelling a keyword is
#: the terminal KEYWORD_KINDS[i] gives, looked up by its exact spelling first and
#: then in lower case (keywords are case-insensitive, except NULL in capitals, a
#: terminal of its own). Any other word is a NAME.
KEYWORDS_IN_STATE: tuple[int, ...] = (
    0, 1, 1, 2, 1, 0, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 0, 0, 0, 3, 2, 2, 1, 1, 1, 1, 4, 2, 2, 1, 3, 3, 2, 2, 2, 2, 2, 2,
    0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5, 2, 4, 2, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5,
    2, 2, 2, 2, 2, 2, 3, 0, 3, 6, 0, 2, 0, 1, 1, 5, 2, 2, 2, 2, 4, 5, 4, 5, 5, 5, 6, 5, 2, 1, 2, 2,
    2, 2, 6, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 6, 2, 2, 2, 2, 2, 2
)
