; bugprm query for TypeScript (and TSX). Root captures (no dot) say what a node is; @<root>.<part> name its parts.

; ---- structure: functions, classes, calls, definitions ----------------------------------------------
(function_declaration
  name: (identifier) @function.name
  body: (statement_block) @function.body) @function
(generator_function_declaration
  name: (identifier) @function.name
  body: (statement_block) @function.body) @function
(method_definition
  name: (_) @function.name
  body: (statement_block) @function.body) @function
(variable_declarator
  name: (identifier) @function.name
  value: [
    (arrow_function body: (_) @function.body)
    (function_expression body: (_) @function.body)] @function)
(pair
  key: (property_identifier) @function.name
  value: [
    (arrow_function body: (_) @function.body)
    (function_expression body: (_) @function.body)] @function)
(assignment_expression
  left: (member_expression property: (property_identifier) @function.name)
  right: [
    (arrow_function body: (_) @function.body)
    (function_expression body: (_) @function.body)] @function)

(class_declaration name: (type_identifier) @class.name) @class
(abstract_class_declaration name: (type_identifier) @class.name) @class
(class name: (type_identifier) @class.name) @class

(call_expression function: [
  (identifier) @call.name
  (member_expression property: (property_identifier) @call.name)]) @call

(required_parameter pattern: (identifier) @parameter)
(optional_parameter pattern: (identifier) @parameter)
(arrow_function parameter: (identifier) @parameter)
(variable_declarator name: (identifier) @local)

; ---- facts for the analyze step --------------------------------------------------------------------
[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement) (catch_clause)
 (ternary_expression) (switch_case)] @decision
(binary_expression operator: ["&&" "||" "??"]) @decision

[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement) (try_statement)
 (switch_statement)] @nesting

[(expression_statement) (return_statement) (if_statement) (for_statement) (for_in_statement) (while_statement)
 (do_statement) (try_statement) (switch_statement) (throw_statement) (break_statement) (continue_statement)
 (lexical_declaration) (variable_declaration)] @statement

; ---- never mutated: types, logging -----------------------------------------------------------------
[(type_annotation) (type_arguments) (type_parameters) (interface_declaration) (type_alias_declaration)
 (enum_declaration) (ambient_declaration)] @skip
(call_expression
  function: (member_expression object: (identifier) @_logger)
  (#match? @_logger "^(console|logger|log|logging)$")) @skip

; ---- mutable nodes ---------------------------------------------------------------------------------
(binary_expression operator: ["<" "<=" ">" ">=" "==" "!=" "===" "!=="] @comparison.operator) @comparison
(binary_expression operator: ["+" "-" "*" "/" "%" "**" "&" "|" "^" "<<" ">>"] @arithmetic.operator) @arithmetic
(augmented_assignment_expression operator: _ @augmented.operator) @augmented
(binary_expression
  left: (_) @boolean.left
  operator: ["&&" "||"] @boolean.operator
  right: (_) @boolean.right) @boolean
(unary_expression operator: "!" argument: (_) @not.operand) @not

(if_statement condition: (parenthesized_expression (_) @condition))
(ternary_expression condition: (_) @condition)

(number) @number
(string) @string
[(true) (false)] @bool_literal

(return_statement (expression) @return.value) @return
(return_statement [
  (binary_expression operator: ["<" "<=" ">" ">=" "==" "!=" "===" "!==" "&&" "||"])
  (unary_expression operator: "!")] @boolean_return.value) @boolean_return

(expression_statement (call_expression) @call_statement.call) @call_statement
[(break_statement) (continue_statement)] @jump

(arguments (_) @arguments.first . (_) @arguments.second) @arguments

(arguments (identifier) @variable)
(binary_expression left: (identifier) @variable)
(binary_expression right: (identifier) @variable)
(return_statement (identifier) @variable)
(member_expression object: (identifier) @variable)
(subscript_expression object: (identifier) @variable)

(catch_clause parameter: (identifier) @handler.name body: (statement_block) @handler.body) @handler
(catch_clause !parameter body: (statement_block) @handler.body) @handler

(class_body (decorator) @decorator . (method_definition) @decorator.next)

(for_in_statement right: (_) @for_loop.iterable) @for_loop
(while_statement condition: (parenthesized_expression (_) @while_loop.condition)) @while_loop
