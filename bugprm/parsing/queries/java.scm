; bugprm query for Java. Root captures (no dot) say what a node is; @<root>.<part> name its parts.

; ---- structure: functions, classes, calls, definitions ----------------------------------------------
(method_declaration
  name: (identifier) @function.name
  body: (block) @function.body) @function
(constructor_declaration
  name: (identifier) @function.name
  body: (constructor_body) @function.body) @function

[(class_declaration name: (identifier) @class.name)
 (interface_declaration name: (identifier) @class.name)
 (enum_declaration name: (identifier) @class.name)
 (record_declaration name: (identifier) @class.name)] @class

(method_invocation name: (identifier) @call.name) @call
(object_creation_expression type: (type_identifier) @call.name) @call

(formal_parameter name: (identifier) @parameter)
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))

; ---- facts for the analyze step --------------------------------------------------------------------
[(if_statement) (for_statement) (enhanced_for_statement) (while_statement) (do_statement) (catch_clause)
 (ternary_expression) (switch_label)] @decision
(binary_expression operator: ["&&" "||"]) @decision

[(if_statement) (for_statement) (enhanced_for_statement) (while_statement) (do_statement) (try_statement)
 (try_with_resources_statement) (switch_expression) (synchronized_statement)] @nesting

[(expression_statement) (return_statement) (if_statement) (for_statement) (enhanced_for_statement)
 (while_statement) (do_statement) (try_statement) (try_with_resources_statement) (switch_expression)
 (throw_statement) (break_statement) (continue_statement) (local_variable_declaration) (yield_statement)
 (assert_statement)] @statement

; ---- never mutated: annotation arguments, logging ---------------------------------------------------
(annotation) @skip
(method_invocation
  object: [(identifier) @_logger (field_access field: (identifier) @_logger)]
  (#match? @_logger "^(log|logger|LOG|LOGGER|Log|Logger)$")) @skip
(method_invocation
  object: (field_access object: (identifier) @_system field: (identifier) @_stream)
  (#eq? @_system "System")
  (#match? @_stream "^(out|err)$")) @skip

; ---- mutable nodes ---------------------------------------------------------------------------------
(binary_expression operator: ["<" "<=" ">" ">=" "==" "!="] @comparison.operator) @comparison
(binary_expression operator: ["+" "-" "*" "/" "%" "&" "|" "^" "<<" ">>"] @arithmetic.operator) @arithmetic
(assignment_expression operator: ["+=" "-=" "*=" "/=" "%=" "&=" "|=" "<<=" ">>="] @augmented.operator) @augmented
(binary_expression
  left: (_) @boolean.left
  operator: ["&&" "||"] @boolean.operator
  right: (_) @boolean.right) @boolean
(unary_expression operator: "!" operand: (_) @not.operand) @not

(if_statement condition: (parenthesized_expression (_) @condition))
(ternary_expression condition: (_) @condition)

[(decimal_integer_literal) (decimal_floating_point_literal)] @number
(string_literal) @string
[(true) (false)] @bool_literal

(return_statement (expression) @return.value) @return
(return_statement [
  (binary_expression operator: ["<" "<=" ">" ">=" "==" "!=" "&&" "||"])
  (unary_expression operator: "!")
  (instanceof_expression)] @boolean_return.value) @boolean_return

(expression_statement (method_invocation) @call_statement.call) @call_statement
[(break_statement) (continue_statement)] @jump

(argument_list (_) @arguments.first . (_) @arguments.second) @arguments

(catch_clause
  (catch_formal_parameter name: (identifier) @handler.name)
  body: (block) @handler.body) @handler

(modifiers (marker_annotation) @decorator . (_) @decorator.next)
(modifiers (marker_annotation) @decorator .)
