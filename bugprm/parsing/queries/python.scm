; bugprm query for Python. Root captures (no dot) say what a node is; @<root>.<part> name its parts.

; ---- structure: functions, classes, calls, definitions ----------------------------------------------
(function_definition
  name: (identifier) @function.name
  body: (block) @function.body) @function

(class_definition name: (identifier) @class.name) @class

; decorators sit outside the def node but belong to the function they decorate
(decorated_definition) @wrapper

(call function: [
  (identifier) @call.name
  (attribute attribute: (identifier) @call.name)]) @call

(parameters (identifier) @parameter)
(parameters (default_parameter name: (identifier) @parameter))
(parameters (typed_parameter . (identifier) @parameter))
(parameters (typed_default_parameter name: (identifier) @parameter))

(assignment left: (identifier) @local)
(assignment left: (pattern_list (identifier) @local))
(for_statement left: (identifier) @local)
(for_statement left: (pattern_list (identifier) @local))
(named_expression name: (identifier) @local)
(as_pattern_target (identifier) @local)

; ---- facts for the analyze step --------------------------------------------------------------------
[(if_statement) (elif_clause) (for_statement) (while_statement) (except_clause) (conditional_expression)
 (boolean_operator) (for_in_clause) (if_clause) (case_clause)] @decision

[(if_statement) (for_statement) (while_statement) (try_statement) (with_statement) (match_statement)] @nesting

[(expression_statement) (return_statement) (if_statement) (for_statement) (while_statement) (try_statement)
 (with_statement) (assert_statement) (raise_statement) (pass_statement) (break_statement) (continue_statement)
 (delete_statement) (global_statement) (nonlocal_statement) (import_statement) (import_from_statement)
 (match_statement)] @statement

; ---- never mutated: docstrings, annotations, the main guard, logging -------------------------------
(expression_statement (string) @skip)
(type) @skip
(if_statement
  condition: (comparison_operator (identifier) @_name (string))
  (#eq? @_name "__name__")) @skip
(call
  function: (attribute object: [
    (identifier) @_logger
    (attribute attribute: (identifier) @_logger)])
  (#match? @_logger "^_*(logging|logger|log|LOGGER|LOG)$")) @skip

; ---- mutable nodes ---------------------------------------------------------------------------------
(comparison_operator operators: _ @comparison.operator) @comparison
(binary_operator operator: _ @arithmetic.operator) @arithmetic
(augmented_assignment operator: _ @augmented.operator) @augmented
(boolean_operator
  left: (_) @boolean.left
  operator: _ @boolean.operator
  right: (_) @boolean.right) @boolean
(not_operator argument: (_) @not.operand) @not

(if_statement condition: (_) @condition)
(elif_clause condition: (_) @condition)
(conditional_expression (_) "if" . (_) @condition)

[(integer) (float)] @number
(string (string_start) @string.open (string_end) @string.close) @string
[(true) (false)] @bool_literal

(return_statement (_) @return.value) @return
(return_statement [(comparison_operator) (boolean_operator) (not_operator)]
  @boolean_return.value) @boolean_return

(expression_statement (call) @call_statement.call) @call_statement
[(break_statement) (continue_statement)] @jump

(call
  function: (identifier) @_range
  arguments: (argument_list .
    [(identifier) (attribute) (call) (subscript) (binary_operator) (unary_operator)] @range.stop .)
  (#eq? @_range "range")) @range
(call
  function: (identifier) @_range
  arguments: (argument_list . (_) .
    [(identifier) (attribute) (call) (subscript) (binary_operator) (unary_operator)] @range.stop)
  (#eq? @_range "range")) @range
(slice [(identifier) (attribute) (call) (subscript) (binary_operator) (unary_operator)] @slice.bound) @slice

; positional arguments only (no keyword or splat); supertypes do not combine with anchors in tree-sitter 0.26
(argument_list
  [(identifier) (attribute) (call) (subscript) (integer) (float) (string) (concatenated_string) (true) (false)
   (none) (binary_operator) (unary_operator) (comparison_operator) (boolean_operator) (not_operator) (list)
   (tuple) (dictionary) (set) (parenthesized_expression) (list_comprehension) (dictionary_comprehension)
   (set_comprehension) (conditional_expression) (lambda) (await)] @arguments.first
  .
  [(identifier) (attribute) (call) (subscript) (integer) (float) (string) (concatenated_string) (true) (false)
   (none) (binary_operator) (unary_operator) (comparison_operator) (boolean_operator) (not_operator) (list)
   (tuple) (dictionary) (set) (parenthesized_expression) (list_comprehension) (dictionary_comprehension)
   (set_comprehension) (conditional_expression) (lambda) (await)] @arguments.second) @arguments

(argument_list (identifier) @variable)
(binary_operator left: (identifier) @variable)
(binary_operator right: (identifier) @variable)
(comparison_operator (identifier) @variable)
(return_statement (identifier) @variable)
(subscript value: (identifier) @variable)
(subscript subscript: (identifier) @variable)
(attribute object: (identifier) @variable)

(except_clause (block) @handler.body) @handler
(decorated_definition (decorator) @decorator . (_) @decorator.next)

(for_statement right: (_) @for_loop.iterable) @for_loop
(while_statement condition: (_) @while_loop.condition) @while_loop
