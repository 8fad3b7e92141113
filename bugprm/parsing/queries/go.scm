; bugprm query for Go. Root captures (no dot) say what a node is; @<root>.<part> name its parts.

; ---- structure: functions, methods (qualified by receiver type), calls --------------------------------
(function_declaration
  name: (identifier) @function.name
  body: (block) @function.body) @function
(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @function.receiver
    (pointer_type (type_identifier) @function.receiver)
    (generic_type type: (type_identifier) @function.receiver)
    (pointer_type (generic_type type: (type_identifier) @function.receiver))]))
  name: (field_identifier) @function.name
  body: (block) @function.body) @function

(call_expression function: [
  (identifier) @call.name
  (selector_expression field: (field_identifier) @call.name)]) @call

(parameter_declaration name: (identifier) @parameter)
(short_var_declaration left: (expression_list (identifier) @local))

; ---- facts for the analyze step --------------------------------------------------------------------
[(if_statement) (for_statement) (expression_case) (type_case) (communication_case)] @decision
(binary_expression operator: ["&&" "||"]) @decision

[(if_statement) (for_statement) (expression_switch_statement) (type_switch_statement) (select_statement)] @nesting

[(expression_statement) (return_statement) (if_statement) (for_statement) (short_var_declaration)
 (assignment_statement) (var_declaration) (inc_statement) (dec_statement) (go_statement) (defer_statement)
 (break_statement) (continue_statement) (expression_switch_statement) (type_switch_statement)
 (select_statement) (send_statement)] @statement

; ---- never mutated: logging ------------------------------------------------------------------------
(call_expression
  function: (selector_expression operand: (identifier) @_logger)
  (#match? @_logger "^(log|logger|slog|glog|klog|logging)$")) @skip

; ---- mutable nodes ---------------------------------------------------------------------------------
(binary_expression operator: ["<" "<=" ">" ">=" "==" "!="] @comparison.operator) @comparison
(binary_expression operator: ["+" "-" "*" "/" "%" "&" "|" "^" "<<" ">>"] @arithmetic.operator) @arithmetic
(assignment_statement operator: ["+=" "-=" "*=" "/=" "%=" "&=" "|=" "<<=" ">>="] @augmented.operator) @augmented
(binary_expression
  left: (_) @boolean.left
  operator: ["&&" "||"] @boolean.operator
  right: (_) @boolean.right) @boolean
(unary_expression operator: "!" operand: (_) @not.operand) @not

(if_statement condition: (_) @condition)

[(int_literal) (float_literal)] @number
[(interpreted_string_literal) (raw_string_literal)] @string
[(true) (false)] @bool_literal

(return_statement (expression_list . [
  (binary_expression operator: ["<" "<=" ">" ">=" "==" "!=" "&&" "||"])
  (unary_expression operator: "!")] @boolean_return.value .)) @boolean_return

(expression_statement (call_expression) @call_statement.call) @call_statement
[(break_statement) (continue_statement)] @jump

(slice_expression start: [(identifier) (selector_expression) (call_expression) (binary_expression)] @slice.bound) @slice
(slice_expression end: [(identifier) (selector_expression) (call_expression) (binary_expression)] @slice.bound) @slice

(argument_list (_) @arguments.first . (_) @arguments.second) @arguments

(for_statement (_expression) @while_loop.condition) @while_loop
