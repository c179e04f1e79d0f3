"""The catalogue of stable error codes, with their messages in Chinese and English.

Codes are part of the public contract: tests, documentation and users' own tooling match on
them, so a code is never renamed. Messages are templates filled with ``str.format``.
Definition codes also carry a hint that says how to fix the problem, as pyxform's
catalogue does; the reference documentation is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    zh: str
    en: str
    fix_zh: str = ""
    fix_en: str = ""


# Problems in a form definition (FormDefinitionError).
DEFINITION: dict[str, Code] = {
    "yaml.syntax": Code(
        "YAML 语法错误：{detail}", "YAML syntax error: {detail}",
        "检查缩进（用空格，不用制表符）、冒号后的空格和成对的引号。",
        "Check the indentation (spaces, not tabs), the space after each colon and paired quotes.",
    ),
    "yaml.tag": Code(
        "不允许的 YAML 标签 {tag}", "YAML tag {tag} is not allowed",
        "表单只用普通的映射、列表和文字；删除以 ! 开头的标签。",
        "Forms use plain mappings, lists and scalars; remove the tag starting with !.",
    ),
    "yaml.alias": Code(
        "YAML 别名（*name）过多或嵌套过深", "Too many or too deeply nested YAML aliases (*name)",
        "展开别名，或把重复内容写成 blocks 再用 use 引用。",
        "Write the content out, or make it a block and `use` it.",
    ),
    "yaml.too_deep": Code(
        "嵌套超过 {limit} 层", "Nested deeper than {limit} levels",
        "减少列表和映射的嵌套层数；重复的内容写成 blocks 再用 use 引用。",
        "Nest lists and mappings less deeply; make repeated content a block and `use` it.",
    ),
    "yaml.too_large": Code(
        "文件过大（{size} 字节，上限 {limit}）", "File too large ({size} bytes, limit {limit})",
        "把表单拆成几个文件，用 include 引用共用部分。",
        "Split the form and include the shared parts.",
    ),
    "yaml.not_mapping": Code(
        "文件的顶层必须是映射（键: 值）", "The top level of the file must be a mapping (key: value)",
        "以 id:、title:、sections: 等键开始。", "Start the file with keys such as id:, title:, sections:.",
    ),
    "file.unreadable": Code(
        "无法读取文件：{detail}", "Cannot read the file: {detail}",
        "检查路径和文件编码（UTF-8）。", "Check the path and that the file is UTF-8.",
    ),
    "schema.unknown_key": Code(
        "未知的键 {key}{suggestion}", "Unknown key {key}{suggestion}",
        "只能使用文档列出的键；检查拼写。", "Use only the keys the language reference lists; check the spelling.",
    ),
    "schema.required": Code(
        "缺少必填的键 {key}", "Missing required key {key}",
        "补上该键。", "Add the key.",
    ),
    "schema.type": Code(
        "值的类型不对：应为 {expected}", "Wrong kind of value: expected {expected}",
        "按语言参考改写该值。", "Write the value as the language reference shows.",
    ),
    "schema.enum": Code(
        "取值 {value} 不在允许范围内{suggestion}；可选：{allowed}",
        "Value {value} is not allowed{suggestion}; allowed: {allowed}",
        "从可选值中选一个。", "Pick one of the allowed values.",
    ),
    "schema.pattern": Code(
        "取值 {value} 格式不对：{detail}", "Value {value} has the wrong form: {detail}",
        "标识只能用小写字母、数字和下划线，以字母开头。",
        "Identifiers use lower-case letters, digits and _, starting with a letter.",
    ),
    "schema.invalid": Code(
        "定义不合规：{detail}", "Invalid definition: {detail}",
        "对照语言参考修改。", "Compare with the language reference.",
    ),
    "schema.control_chars": Code(
        "文字中含有不可见的控制字符（{chars}）", "The text contains invisible control characters ({chars})",
        "删除这些字符（多为 \\x07、\\0 之类的转义）。", "Remove them (usually escapes such as \\x07 or \\0).",
    ),
    "id.duplicate": Code(
        "标识 {id} 重复（第一次出现在 {first}）", "Duplicate id {id} (first used at {first})",
        "每个字段、表格、网格和树的 id 在表单中必须唯一；改名或用 use 的 prefix。",
        "Every field, table, grid and tree id must be unique in the form; rename it or use `prefix`.",
    ),
    "id.reserved": Code(
        "标识 {id} 是保留字", "Id {id} is a reserved word",
        "换一个名字。", "Choose another name.",
    ),
    "ref.unknown_choices": Code(
        "未知的选项列表 {name}{suggestion}", "Unknown choice list {name}{suggestion}",
        "在 choices 中定义它，或 include 定义它的文件。", "Define it under choices, or include the file that does.",
    ),
    "ref.unknown_block": Code(
        "未知的块 {name}{suggestion}", "Unknown block {name}{suggestion}",
        "在 blocks 中定义它，或 include 定义它的文件。", "Define it under blocks, or include the file that does.",
    ),
    "ref.unknown_path": Code(
        "检查的 path 指向未知字段 {name}{suggestion}", "Check path names unknown field {name}{suggestion}",
        "path 写字段 id（表格列写 表格id.列id）。", "Write a field id (a table column as table_id.column_id).",
    ),
    "ref.block_cycle": Code(
        "块引用自身形成循环：{chain}", "A block uses itself: {chain}",
        "去掉循环中的一个 use。", "Remove one of the uses in the cycle.",
    ),
    "ref.blank_missing": Code(
        "文字中的空白 {{{name}}} 没有在 blanks 中定义", "Inline blank {{{name}}} is not defined under blanks",
        "在 blanks 下加入 id 为 {name} 的字段，或删掉占位符。",
        "Add a field with this id under blanks, or remove the placeholder.",
    ),
    "ref.blank_unused": Code(
        "blanks 中的字段 {name} 没有出现在文字里", "Blank field {name} does not appear in the text",
        "在文字中写 {{{name}}}，或删掉该字段。", "Write {{{name}}} in the text, or remove the field.",
    ),
    "include.outside_root": Code(
        "include 的文件 {target} 在表单根目录之外", "Included file {target} is outside the forms root",
        "共用文件放在表单根目录（含 formengine.yaml 的目录）之内。",
        "Keep shared files inside the forms root (the folder holding formengine.yaml).",
    ),
    "include.not_found": Code(
        "找不到 include 的文件 {target}", "Included file {target} not found",
        "路径相对于当前文件；检查拼写。", "Paths are relative to this file; check the spelling.",
    ),
    "include.cycle": Code(
        "include 形成循环：{chain}", "Include cycle: {chain}",
        "去掉其中一个 include。", "Remove one of the includes.",
    ),
    "include.not_library": Code(
        "被 include 的文件只能包含 include、choices 和 blocks", "An included file may hold only include, choices and blocks",
        "把表单内容移出共用文件。", "Move form content out of the shared file.",
    ),
    "field.option": Code(
        "字段类型 {type} 不支持选项 {key}", "Field type {type} does not take option {key}",
        "删除该选项，或换一个字段类型。", "Remove the option or choose another field type.",
    ),
    "field.bounds": Code(
        "最小值 {min} 大于最大值 {max}", "Minimum {min} is greater than maximum {max}",
        "交换或修正 min / max。", "Swap or correct min / max.",
    ),
    "field.value": Code(
        "{key} 的值 {value} 对类型 {type} 无效：{detail}", "Value {value} of {key} is invalid for type {type}: {detail}",
        "按字段类型的格式书写。", "Write it in the field type's format.",
    ),
    "field.pattern": Code(
        "正则表达式无效：{detail}", "Invalid regular expression: {detail}",
        "检查括号和转义。", "Check brackets and escapes.",
    ),
    "field.compute_and_default": Code(
        "计算字段不能再有默认值或必填条件", "A computed field cannot also have a default or a required condition",
        "删除 default / default_expr / required_if。", "Remove default / default_expr / required_if.",
    ),
    "choices.duplicate": Code(
        "选项值 {value} 重复", "Duplicate option value {value}",
        "每个选项的 value 必须不同。", "Every option needs its own value.",
    ),
    "choices.empty": Code(
        "选项列表为空", "The choice list is empty",
        "至少写一个选项。", "Write at least one option.",
    ),
    "expr.syntax": Code(
        "表达式语法错误：{detail}", "Expression syntax error: {detail}",
        "表达式写法同电子表格公式：a * b、sum(lines.total)、x if c else y。",
        "Write it like a spreadsheet formula: a * b, sum(lines.total), x if c else y.",
    ),
    "expr.forbidden": Code(
        "表达式中不允许使用{what}", "{what_en} is not allowed in an expression",
        "只用字段名、数字、文字、运算符和文档列出的函数。",
        "Use only field names, numbers, text, operators and the documented functions.",
    ),
    "expr.unknown_name": Code(
        "表达式引用了未知字段 {name}{suggestion}", "Expression refers to unknown field {name}{suggestion}",
        "检查字段 id 的拼写；表格列只能在本表内或用 表格.列 引用。",
        "Check the field id; a table column is visible inside its table or as table.column.",
    ),
    "expr.unknown_function": Code(
        "未知函数 {name}{suggestion}", "Unknown function {name}{suggestion}",
        "可用函数见 docs/reference.md。", "See docs/reference.md for the functions.",
    ),
    "expr.arity": Code(
        "函数 {name} 需要 {expected} 个参数，实际 {given} 个", "Function {name} takes {expected} arguments, {given} given",
        "按函数签名传参。", "Pass the arguments its signature lists.",
    ),
    "expr.type": Code(
        "表达式类型不匹配：{detail}", "Type mismatch in expression: {detail}",
        "检查运算两边的字段类型。", "Check the types of the fields on both sides.",
    ),
    "expr.attribute": Code(
        "{name} 没有可引用的 .{attr}", "{name} has no .{attr}",
        "只有表格列（表格.列）、区间（.start/.end）、签名（.name/.date）和图片（.width/.height）可以用点。",
        "Only table.column, ranges (.start/.end), signatures (.name/.date) and images (.width/.height) take a dot.",
    ),
    "expr.too_large": Code(
        "表达式过长或嵌套过深（{detail}）", "Expression too long or too deeply nested ({detail})",
        "拆成几个计算字段。", "Split it into several computed fields.",
    ),
    "expr.context": Code(
        "函数 {name} 只能在{where}中使用", "Function {name} can be used only in {where_en}",
        "把该计算放到对应的表格或树的列上。", "Move the computation to a column of the right table or tree.",
    ),
    "form.too_large": Code(
        "表单过大：{what}超过 {limit} 个", "The form is too large: more than {limit} {what_en}",
        "拆分表单；检查块是否层层互相引用。", "Split the form; check for blocks that use each other over and over.",
    ),
    "internal": Code(
        "formengine 内部错误：{detail}", "formengine internal error: {detail}",
        "这是 formengine 的缺陷，请附上该表单报告给维护者。", "This is a bug in formengine; please report it with the form.",
    ),
    "compute.cycle": Code(
        "计算字段循环依赖：{chain}", "Computed fields depend on each other in a cycle: {chain}",
        "打断循环：其中一个字段改为手填。", "Break the cycle: make one of them an input field.",
    ),
}

# Problems in submitted data (ValidationResult.errors).
VALIDATION: dict[str, Code] = {
    "required": Code("必填", "This field is required"),
    "unknown_field": Code("表单中没有字段 {name}", "The form has no field {name}"),
    "type": Code("应为{expected_zh}", "Expected {expected_en}"),
    "min": Code("不能小于 {limit}", "Must be at least {limit}"),
    "max": Code("不能大于 {limit}", "Must be at most {limit}"),
    "min_length": Code("至少 {limit} 个字符", "At least {limit} characters"),
    "max_length": Code("最多 {limit} 个字符", "At most {limit} characters"),
    "min_items": Code("至少选择 {limit} 项", "Choose at least {limit}"),
    "max_items": Code("最多选择 {limit} 项", "Choose at most {limit}"),
    "pattern": Code("格式不正确", "Wrong format"),
    "control_chars": Code("含有不可见的控制字符（{chars}），请删除", "Contains invisible control characters ({chars}); remove them"),
    "places": Code("最多 {places} 位小数", "At most {places} decimal places"),
    "date": Code("不是有效日期（{detail}）", "Not a valid date ({detail})"),
    "year_month": Code("不是有效年月（{detail}）", "Not a valid year-month ({detail})"),
    "time": Code("不是有效时间（应为 时:分）", "Not a valid time (HH:MM)"),
    "datetime": Code("不是有效日期时间", "Not a valid date-time"),
    "range_order": Code("开始不能晚于结束", "The start cannot be after the end"),
    "choice": Code("{value} 不是可选项；可选：{allowed}", "{value} is not an option; options: {allowed}"),
    "choice_detail_required": Code("选择“{value}”时须填写说明", "Choosing “{value}” needs its detail"),
    "choice_detail_unexpected": Code("选项“{value}”不带说明", "Option “{value}” takes no detail"),
    "choice_duplicate": Code("选项 {value} 重复", "Option {value} chosen twice"),
    "mobile": Code("不是有效的手机号码", "Not a valid mainland mobile number"),
    "phone": Code("不是有效的电话号码", "Not a valid phone number"),
    "email": Code("不是有效的电子邮箱", "Not a valid e-mail address"),
    "url": Code("不是有效的网址", "Not a valid web address"),
    "postcode": Code("邮政编码应为 6 位数字", "A postcode has 6 digits"),
    "id_card": Code("身份证号码无效（校验位不符或日期不对）", "Invalid resident ID number (check digit or date)"),
    "uscc": Code("统一社会信用代码无效（校验位不符）", "Invalid unified social credit code (check digit)"),
    "bank_account": Code("银行账号应为 8–30 位数字", "A bank account has 8-30 digits"),
    "plate_number": Code("不是有效的车牌号", "Not a valid licence plate number"),
    "image_width": Code("图片宽度应为 {expected} 像素，实际 {actual}", "Image width must be {expected} px, is {actual}"),
    "image_height": Code("图片高度应为 {expected} 像素，实际 {actual}", "Image height must be {expected} px, is {actual}"),
    "file_size": Code("文件过大（上限 {limit} 字节）", "File too large (limit {limit} bytes)"),
    "file_format": Code("文件格式应为 {allowed}", "File format must be one of {allowed}"),
    "hidden_filled": Code("该字段在当前条件下不适用，应留空", "This field does not apply here and must be empty"),
    "computed_mismatch": Code("应为 {expected}（自动计算）", "Must be {expected} (computed)"),
    "min_rows": Code("至少 {limit} 行", "At least {limit} rows"),
    "max_rows": Code("最多 {limit} 行", "At most {limit} rows"),
    "empty_row": Code("空行：请按顺序填写，不留空行", "Empty row: fill rows in order without gaps"),
    "unique": Code("与第 {other} 行重复", "Same as row {other}"),
    "max_depth": Code("层级超过 {limit} 层", "Deeper than {limit} levels"),
    "grid_row": Code("表格中没有行 {name}", "The grid has no row {name}"),
    "grid_column": Code("表格中没有列 {name}", "The grid has no column {name}"),
    "check": Code("{message_zh}", "{message_en}"),
    "not_object": Code("提交的数据应为对象（键: 值）", "The submission must be an object (key: value)"),
    "evaluation": Code("无法计算：{detail}", "Cannot compute: {detail}"),
    "too_many_issues": Code(
        "问题过多：只列出了前 {limit} 个，其余的没有列出", "Too many problems: only the first {limit} are listed, the rest are left out"),
    # Reading a filled Word/Excel file back (Form.extract): problems with the file itself.
    "file_unreadable": Code("无法读取文件：{detail}", "Cannot read the file: {detail}"),
    "file_not_fillable": Code(
        "这不是 formengine 生成的可填写文件（{detail}）",
        "This is not a fillable file made by formengine ({detail})"),
    "file_wrong_form": Code(
        "此文件属于表单 {found}，不是 {expected}", "This file belongs to form {found}, not {expected}"),
    "file_form_changed": Code(
        "文件生成后表单已修改（文件为 {found}，当前为 {expected}）；请用当前表单重新生成空白文件",
        "The form changed after this file was made ({found}, now {expected}); make a new blank file"),
    "file_missing_input": Code(
        "文件中缺少“{label}”的填写框（可能被删除）", "The input for “{label}” is missing from the file (deleted?)"),
    "file_duplicate_input": Code(
        "“{label}”的填写框出现了 {count} 次", "The input for “{label}” appears {count} times"),
    "file_unknown_input": Code(
        "文件中有本表单没有的填写框 {name}", "The file has an input {name} that the form does not have"),
    "file_text_outside": Code(
        "填写框外有文字“{text}”；请填在对应的框内", "Text typed outside the inputs: “{text}”; type it into its box"),
    "file_detail_unchosen": Code(
        "填写了“{option}”的说明“{detail}”，但没有选择“{option}”",
        "The detail “{detail}” of “{option}” is filled in, but “{option}” is not chosen"),
    "file_tree_level": Code(
        "层级应为 1 到 {limit} 的整数，不是“{level}”", "The level must be a whole number from 1 to {limit}, not “{level}”"),
}


@dataclass(frozen=True)
class Localized:
    """A message parameter that reads differently in each language (a "did you mean" hint)."""

    zh: str
    en: str


def did_you_mean(word: str, candidates: list[str]) -> Localized | str:
    """" (did you mean X?)" in the message's language when a candidate is close; else ''."""
    import difflib

    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return Localized(f"（是否想写 {close[0]}？）", f" (did you mean {close[0]}?)") if close else ""


def definition_message(code: str, params: dict[str, object]) -> tuple[str, str]:
    entry = DEFINITION[code]
    return _fill(entry.zh, params, "zh"), _fill(entry.en, params, "en")


def validation_message(code: str, params: dict[str, object]) -> tuple[str, str]:
    entry = VALIDATION[code]
    return _fill(entry.zh, params, "zh"), _fill(entry.en, params, "en")


class _Lenient(dict[str, object]):
    """Leaves unknown placeholders empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, params: dict[str, object], lang: str) -> str:
    values = {k: getattr(v, lang) if isinstance(v, Localized) else v for k, v in params.items()}
    return template.format_map(_Lenient(values))
