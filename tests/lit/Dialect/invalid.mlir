// RUN: cotan-opt %s --split-input-file --verify-diagnostics
// One case per verifier constraint; labels such as (slice_c2) match the
// constraint labels in the C++ shape rules.

// Ops outside the shape-polymorphic set need static shapes.
func.func @dynamic_shape(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{'cotan.sort' op operand #0 must be variadic of statically shaped tensor}}
  %0 = cotan.sort %x dim = 0 keys = 1 : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A reversed dimension is static; the others may be dynamic.
func.func @reverse_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error@+1 {{(reverse_c2) reversed dimension 0 of 'tensor<?x3xf32>' is dynamic}}
  %0 = cotan.reverse %x dims = [0] : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @exp_of_int(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float}}
  %0 = cotan.exp %x : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @neg_of_unsigned(%x: tensor<3xui8>) -> tensor<3xui8> {
  // expected-error@+1 {{but got 'tensor<3xui8>'}}
  %0 = cotan.neg %x : tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

func.func @not_of_float(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 1-bit signless integer}}
  %0 = cotan.not %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @add_mixed_types(%x: tensor<3xf32>, %y: tensor<3xf64>) -> tensor<3xf32> {
  // expected-error@+1 {{requires the same type for all operands and results}}
  %0 = "cotan.add"(%x, %y) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @add_of_bools(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float}}
  %0 = cotan.add %x, %x : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @atan2_of_int(%x: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float}}
  %0 = cotan.atan2 %x, %x : tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @compare_shapes(%x: tensor<3xf32>, %y: tensor<4xf32>) -> tensor<3xi1> {
  // expected-error@+1 {{all non-scalar operands/results must have the same shape and base type}}
  %0 = "cotan.compare"(%x, %y) {direction = 0 : i32} : (tensor<3xf32>, tensor<4xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @compare_result(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = "cotan.compare"(%x, %x) {direction = 0 : i32} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_pred_shape(%p: tensor<2xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // The Elementwise trait rejects this before the shape rule (select_c2) runs.
  // expected-error@+1 {{all non-scalar operands/results must have the same shape and base type}}
  %0 = "cotan.select"(%p, %x, %x) : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @convert_shape(%x: tensor<3xf32>) -> tensor<4xi32> {
  // expected-error@+1 {{all of {operand, result} have same shape}}
  %0 = cotan.convert %x : tensor<3xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @iota_rank0() -> tensor<f32> {
  // expected-error@+1 {{(iota_c1) result must have rank >= 1}}
  %0 = cotan.iota dim = 0 : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @iota_dim() -> tensor<3xf32> {
  // expected-error@+1 {{(iota_c2) dimension 1 is out of range for a result of rank 1}}
  %0 = cotan.iota dim = 1 : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @broadcast_element_type(%x: tensor<3xf32>) -> tensor<2x3xf64> {
  // expected-error@+1 {{(broadcast_in_dim_c1) operand element type 'f32' differs from result element type 'f64'}}
  %0 = cotan.broadcast_in_dim %x dims = [1] : tensor<3xf32> -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

func.func @broadcast_dims_count(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{(broadcast_in_dim_c2) expects 1 broadcast dimensions (the operand rank), got 2}}
  %0 = cotan.broadcast_in_dim %x dims = [0, 1] : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_dims_range(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{(broadcast_in_dim_c3) dimension 2 is out of range for rank 2}}
  %0 = cotan.broadcast_in_dim %x dims = [2] : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_sizes(%x: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{(broadcast_in_dim_c4) operand dimension 0 of size 3 cannot broadcast to result dimension 1 of size 2}}
  %0 = cotan.broadcast_in_dim %x dims = [1] : tensor<3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<4xf32>) -> tensor<2x2xi32> {
  // expected-error@+1 {{(reshape_c1) operand element type 'f32' differs from result element type 'i32'}}
  %0 = cotan.reshape %x : tensor<4xf32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @reshape_count(%x: tensor<3xf32>) -> tensor<2x2xf32> {
  // expected-error@+1 {{(reshape_c2) operand has 3 elements but the result has 4}}
  %0 = cotan.reshape %x : tensor<3xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(transpose_c1) [0, 0] is not a permutation of the operand's 2 dimensions}}
  %0 = cotan.transpose %x perm = [0, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  %0 = cotan.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_rank(%x: tensor<3xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(slice_c1) start, limit and strides must each have one entry per operand dimension (1)}}
  %0 = cotan.slice %x start = [0, 0] limit = [2] strides = [1] : tensor<3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_bounds(%x: tensor<3xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(slice_c2) dimension 0: need 0 <= start (2) <= limit (1) <= size (3)}}
  %0 = cotan.slice %x start = [2] limit = [1] strides = [1] : tensor<3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_stride(%x: tensor<3xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(slice_c3) dimension 0: stride 0 must be positive}}
  %0 = cotan.slice %x start = [0] limit = [2] strides = [0] : tensor<3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concatenate_none() -> tensor<0xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(concatenate_c1) needs at least one input}}
  %0 = "cotan.concatenate"() {dimension = 0 : i64} : () -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @concatenate_dim(%x: tensor<3xf32>) -> tensor<6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(concatenate_c2) dimension 1 is out of range for rank 1}}
  %0 = cotan.concatenate %x, %x dim = 1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @concatenate_types(%x: tensor<3xf32>, %y: tensor<3xf64>) -> tensor<6xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(concatenate_c3) input 1 of type 'tensor<3xf64>' does not match the rank and element type of input 0, 'tensor<3xf32>'}}
  %0 = cotan.concatenate %x, %y dim = 0 : (tensor<3xf32>, tensor<3xf64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @concatenate_sizes(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(concatenate_c4) input 1 has size 4 in dimension 1 but input 0 has 3}}
  %0 = cotan.concatenate %x, %y dim = 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pad_value(%x: tensor<3xf32>, %p: tensor<1xf32>) -> tensor<5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(pad_c1) padding value must be a 0-d tensor of the operand element type, got 'tensor<1xf32>'}}
  %0 = cotan.pad %x, %p low = [1] high = [1] interior = [0] : (tensor<3xf32>, tensor<1xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @pad_count(%x: tensor<3xf32>, %p: tensor<f32>) -> tensor<5xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(pad_c2) low, high and interior padding must each have one entry per operand dimension (1)}}
  %0 = cotan.pad %x, %p low = [1, 1] high = [1] interior = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @pad_negative(%x: tensor<3xf32>, %p: tensor<f32>) -> tensor<3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(pad_c3) dimension 0: padding amounts must be non-negative}}
  %0 = cotan.pad %x, %p low = [-1] high = [1] interior = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reverse_dims(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(reverse_c1) dimension 0 appears more than once}}
  %0 = cotan.reverse %x dims = [0, 0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @take_axis(%x: tensor<3xf32>, %i: tensor<2xi32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(take_c1) axis 1 is out of range for an operand of rank 1}}
  %0 = cotan.take %x[%i] axis = 1 : (tensor<3xf32>, tensor<2xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @take_empty_axis(%x: tensor<0x2xf32>, %i: tensor<2xi32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(take_c2) cannot take elements from axis 0, which has size 0}}
  %0 = cotan.take %x[%i] axis = 0 : (tensor<0x2xf32>, tensor<2xi32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @take_float_indices(%x: tensor<3xf32>, %i: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = cotan.take %x[%i] axis = 0 : (tensor<3xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dynamic_slice_count(%x: tensor<3x4xf32>, %i: tensor<i32>) -> tensor<2x2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dynamic_slice_c1) expects 2 start indices (the operand rank), got 1}}
  %0 = cotan.dynamic_slice %x[%i] sizes = [2, 2] : (tensor<3x4xf32>, tensor<i32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @dynamic_slice_sizes(%x: tensor<3xf32>, %i: tensor<i32>) -> tensor<4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dynamic_slice_c3) slice size 4 in dimension 0 must lie in [0, 3]}}
  %0 = cotan.dynamic_slice %x[%i] sizes = [4] : (tensor<3xf32>, tensor<i32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dynamic_slice_index_rank(%x: tensor<3xf32>, %i: tensor<1xi32>) -> tensor<2xf32> {
  // expected-error@+1 {{operand #1 must be variadic of 0D tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = cotan.dynamic_slice %x[%i] sizes = [2] : (tensor<3xf32>, tensor<1xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dynamic_update_slice_type(%x: tensor<3xf32>, %u: tensor<2xf64>, %i: tensor<i32>) -> tensor<3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dynamic_update_slice_c1) update 'tensor<2xf64>' must have the rank and element type of the operand 'tensor<3xf32>'}}
  %0 = cotan.dynamic_update_slice %x[%i], %u : (tensor<3xf32>, tensor<2xf64>, tensor<i32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @dynamic_update_slice_size(%x: tensor<3xf32>, %u: tensor<4xf32>, %i: tensor<i32>) -> tensor<3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dynamic_update_slice_c2) update dimension 0 of size 4 exceeds the operand's size 3}}
  %0 = cotan.dynamic_update_slice %x[%i], %u : (tensor<3xf32>, tensor<4xf32>, tensor<i32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @dynamic_update_slice_count(%x: tensor<3xf32>, %u: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dynamic_update_slice_c3) expects 1 start indices (the operand rank), got 0}}
  %0 = cotan.dynamic_update_slice %x[], %u : (tensor<3xf32>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_dims(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_c1) dimension 1 is out of range for rank 1}}
  %0 = cotan.reduce_sum %x dims = [1] : tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_duplicate(%x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_c1) dimension 0 appears more than once}}
  %0 = cotan.reduce_max %x dims = [0, 0] : tensor<3x2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_sum_bool(%x: tensor<3xi1>) -> tensor<i1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float}}
  %0 = cotan.reduce_sum %x dims = [0] : tensor<3xi1> -> tensor<i1>
  return %0 : tensor<i1>
}

// -----

func.func @argmax_dim(%x: tensor<3xf32>) -> tensor<i32> {
  // expected-error@+1 {{(arg_reduce_c1) dimension 1 is out of range for an operand of rank 1}}
  %0 = cotan.argmax %x dim = 1 : tensor<3xf32> -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

func.func @argmin_shape(%x: tensor<3x2xf32>) -> tensor<3xi32> {
  // expected-error@+1 {{(arg_reduce_c2) result shape must be the operand shape without dimension 0, got 'tensor<3xi32>'}}
  %0 = cotan.argmin %x dim = 0 : tensor<3x2xf32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @argmax_empty(%x: tensor<0x2xf32>) -> tensor<2xi32> {
  // expected-error@+1 {{(arg_reduce_c3) dimension 0 has size 0: there is no extreme element}}
  %0 = cotan.argmax %x dim = 0 : tensor<0x2xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @argmax_float_result(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+1 {{result #0 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = cotan.argmax %x dim = 0 : tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @dot_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf64>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c1) operand element types differ: 'f32' vs 'f64'}}
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dot_batch_count(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c3) lhs has 1 batching dimensions, rhs has 0}}
  %0 = cotan.dot_general %a, %b {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

func.func @dot_contract_count(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c4) lhs has 1 contracting dimensions, rhs has 2}}
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dot_dims(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c5) dimension 2 is out of range for rank 2}}
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dot_sizes(%a: tensor<2x3xf32>, %b: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c6) lhs dimension 1 (size 3) does not match rhs dimension 0 (size 4)}}
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @constant_type() -> tensor<2xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inferred type(s) 'tensor<2xf64>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  %0 = "cotan.constant"() {value = dense<1.0> : tensor<2xf64>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @constant_element_type() -> tensor<2xui8> {
  // expected-error@+1 {{result #0 must be statically shaped tensor of 16-bit float}}
  %0 = cotan.constant dense<1> : tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

func.func @vjp_unknown_callee(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(request_c1) 'nowhere' does not name a func.func}}
  %r:2 = cotan.vjp @nowhere(%x) cotangents(%x) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

func.func private @g(%x: tensor<3xf32>) -> tensor<f32>
func.func @vjp_primal_types(%x: tensor<4xf32>, %ct: tensor<f32>) -> tensor<4xf32> {
  // expected-error@+1 {{(request_c2) primal types 'tensor<4xf32>' do not match the inputs of 'g': 'tensor<3xf32>'}}
  %r:2 = cotan.vjp @g(%x) cotangents(%ct) : (tensor<4xf32>, tensor<f32>) -> (tensor<f32>, tensor<4xf32>)
  return %r#1 : tensor<4xf32>
}

// -----

func.func private @g(%x: tensor<3xf32>) -> tensor<f32>
func.func @vjp_cotangent_types(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(request_c3) cotangent types 'tensor<3xf32>' must match the callee's results: 'tensor<f32>'}}
  %r:2 = cotan.vjp @g(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

func.func private @g(%x: tensor<3xf32>) -> tensor<f32>
func.func @jvp_result_types(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(request_c4) result types 'tensor<f32>', 'tensor<3xf32>' must be 'tensor<f32>', 'tensor<f32>'}}
  %r:2 = cotan.jvp @g(%x) tangents(%x) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

func.func private @h(%x: tensor<3xf32>) -> tensor<3xf32>
func.func private @h_fwd(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
func.func private @h_bwd(%r: tensor<3xf32>) -> tensor<3xf32>
func.func @custom_vjp_backward_type(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(custom_c2) 'h_bwd' has type '(tensor<3xf32>) -> tensor<3xf32>', expected inputs 'tensor<3xf32>', 'tensor<3xf32>' and results 'tensor<3xf32>'}}
  %0 = cotan.custom_vjp @h(%x) fwd @h_fwd bwd @h_bwd : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @custom_jvp_unknown(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{(custom_c1) 'nothing' does not name a func.func}}
  %0 = cotan.custom_jvp @nothing(%x) rule @nothing : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func private @k(%x: tensor<3xf32>, %y: tensor<2xf32>) -> tensor<f32>
func.func @vmap_batch_sizes(%x: tensor<4x3xf32>, %y: tensor<5x2xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{(vmap_c4) batched operand 1 has batch size 5, expected 4}}
  %r = cotan.vmap @k(%x, %y) batched = [true, true] : (tensor<4x3xf32>, tensor<5x2xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func private @k(%x: tensor<3xf32>) -> tensor<f32>
func.func @vmap_operand_type(%x: tensor<4x2xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{(vmap_c3) operand 0 of type 'tensor<4x2xf32>' does not match 'k' argument 0 of type 'tensor<3xf32>'}}
  %r = cotan.vmap @k(%x) batched = [true] : (tensor<4x2xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func private @k(%x: tensor<3xf32>) -> tensor<f32>
func.func @vmap_unbatched(%x: tensor<3xf32>) -> tensor<1xf32> {
  // expected-error@+1 {{(vmap_c2) needs at least one batched operand}}
  %r = cotan.vmap @k(%x) batched = [false] : (tensor<3xf32>) -> tensor<1xf32>
  return %r : tensor<1xf32>
}

// -----

func.func @convolution_element_types(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf64>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c1) operand element types differ: 'f32' vs 'f64'}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<1x2x5xf32>, tensor<3x2x3xf64>) -> tensor<1x3x3xf32>
  return
}

// -----

func.func @convolution_rank(%x: tensor<2x5xf32>, %w: tensor<3x2xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c2) lhs and rhs need the same rank >= 3}}
  %0 = cotan.convolution %x, %w strides = [] pad = ([], []) lhs_dilation = [] rhs_dilation = [] groups = 1 : (tensor<2x5xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @convolution_attribute_length(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c3) window_strides has 2 entries for 1 spatial dimensions}}
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<1x2x5xf32>, tensor<3x2x3xf32>) -> tensor<1x3x3xf32>
  return
}

// -----

func.func @convolution_negative_stride(%x: tensor<1x2x5xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c4) window_strides must be positive, got [-1]}}
  %0 = cotan.convolution %x, %w strides = [-1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<1x2x5xf32>, tensor<3x2x3xf32>) -> tensor<1x3x3xf32>
  return
}

// -----

func.func @convolution_groups(%x: tensor<1x3x5xf32>, %w: tensor<4x1x3xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c5) feature_group_count 2 must divide the input features (3) and the output features (4)}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 2 : (tensor<1x3x5xf32>, tensor<4x1x3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @convolution_channels(%x: tensor<1x3x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c6) the filters take 2 input features but the input has 3 in 1 group(s)}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<1x3x5xf32>, tensor<4x2x3xf32>) -> tensor<1x4x3xf32>
  return
}

// -----

func.func @convolution_window_too_large(%x: tensor<1x2x5xf32>, %w: tensor<3x2x4xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c7) the window (7 with dilation) is larger than the padded input (6) in spatial dimension 0}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([1], [0]) lhs_dilation = [1] rhs_dilation = [2] groups = 1 : (tensor<1x2x5xf32>, tensor<3x2x4xf32>) -> tensor<1x3x1xf32>
  return
}

// -----

func.func @reduce_window_length(%x: tensor<4x4xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_window_c1) window_dimensions has 1 entries for rank 2}}
  %0 = cotan.reduce_window max %x window = [2] strides = [1, 1] pad = ([0, 0], [0, 0]) : tensor<4x4xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @reduce_window_stride(%x: tensor<4x4xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_window_c2) window_strides must be positive, got [1, 0]}}
  %0 = cotan.reduce_window max %x window = [2, 2] strides = [1, 0] pad = ([0, 0], [0, 0]) : tensor<4x4xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @reduce_window_too_large(%x: tensor<4x4xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_window_c3) the window (6) is larger than the padded operand (5) in dimension 1}}
  %0 = cotan.reduce_window sum %x window = [1, 6] strides = [1, 1] pad = ([0, 1], [0, 0]) : tensor<4x4xf32> -> tensor<4x1xf32>
  return
}

// -----

func.func @debug_callback_negative_key(%x: tensor<2xf32>) {
  // expected-error @+1 {{attribute 'callback' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  cotan.debug_callback -1 (%x : tensor<2xf32>)
  return
}

// -----

func.func @sort_no_inputs() {
  // expected-error@+1 {{(sort_c1) needs at least one input}}
  "cotan.sort"() {dimension = 0 : i64, num_keys = 1 : i64} : () -> ()
  return
}

// -----

func.func @sort_shapes_differ(%x: tensor<4xf32>, %y: tensor<5xi32>) {
  // expected-error@+1 {{(sort_c2) inputs must share one shape, got 'tensor<4xf32>' and 'tensor<5xi32>'}}
  %0:2 = cotan.sort %x, %y dim = 0 keys = 1 : tensor<4xf32>, tensor<5xi32>
  return
}

// -----

func.func @sort_dimension_out_of_range(%x: tensor<4x3xf32>) {
  // expected-error@+1 {{(sort_c3) dimension 2 is out of range for inputs of rank 2}}
  %0 = cotan.sort %x dim = 2 keys = 1 : tensor<4x3xf32>
  return
}

// -----

func.func @sort_of_a_scalar(%x: tensor<f32>) {
  // expected-error@+1 {{(sort_c3) dimension 0 is out of range for inputs of rank 0}}
  %0 = cotan.sort %x dim = 0 keys = 1 : tensor<f32>
  return
}

// -----

func.func @sort_too_many_keys(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error@+1 {{(sort_c4) num_keys must be in [1, 2], got 3}}
  %0:2 = cotan.sort %x, %y dim = 0 keys = 3 : tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @collective_empty_mesh(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{(collective_c1) needs a mesh of at least one axis}}
  %0 = cotan.all_reduce sum %x mesh = [] axes = [0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @collective_bad_mesh_size(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{(collective_c1) mesh sizes must be positive, got [2, 0]}}
  %0 = cotan.all_reduce sum %x mesh = [2, 0] axes = [0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @collective_axis_out_of_range(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{(collective_c2) axis 2 is out of range for a mesh of rank 2}}
  %0 = cotan.all_reduce min %x mesh = [2, 2] axes = [2] : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @collective_repeated_axis(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{(collective_c2) axis 0 repeats}}
  %0 = cotan.collective_broadcast %x root = 0 mesh = [2] axes = [0, 0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @collective_no_axes() -> tensor<i32> {
  // expected-error @+1 {{(collective_c2) needs at least one mesh axis}}
  %0 = cotan.axis_index mesh = [2] axes = [] : tensor<i32>
  return %0 : tensor<i32>
}

// -----

func.func @collective_bool(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values}}
  %0 = cotan.all_reduce sum %x mesh = [2] axes = [0] : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @reduce_scatter_indivisible(%x: tensor<5x2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{(collective_c4) dimension 0 of size 5 does not split into 2 blocks, one per process of the group}}
  %0 = cotan.reduce_scatter %x dim = 0 mesh = [2] axes = [0] : tensor<5x2xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @all_gather_bad_dimension(%x: tensor<5x2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{(collective_c3) dimension 2 is out of range for rank 2}}
  %0 = "cotan.all_gather"(%x) <{dimension = 2 : i64, mesh = array<i64: 2>, axes = array<i64: 0>}> : (tensor<5x2xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @all_to_all_indivisible(%x: tensor<3x2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{(collective_c4) split dimension 0 of size 3 does not split into 2 blocks}}
  %0 = cotan.all_to_all %x split = 0 concat = 1 mesh = [2] axes = [0] : tensor<3x2xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @all_gather_wrong_result(%x: tensor<2xf32>) {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{'cotan.all_gather' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  %0 = cotan.all_gather %x dim = 0 mesh = [2] axes = [0] : tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

func.func @broadcast_root_out_of_group(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{(collective_c5) root 4 is not a position in a group of 4}}
  %0 = cotan.collective_broadcast %x root = 4 mesh = [4, 2] axes = [0] : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Each `?` dimension a broadcast creates needs its size.
func.func @broadcast_missing_size(%b: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error@+1 {{(broadcast_in_dim_c5) expects 1 dynamic sizes (one per `?` dimension of 'tensor<?x3xf32>'), got 0}}
  %0 = cotan.broadcast_in_dim %b dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A `?` operand dimension is never repeated: it cannot become a static one.
func.func @broadcast_dynamic_to_static(%x: tensor<?xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{(broadcast_in_dim_c4) operand dimension 0 of size ? cannot broadcast to result dimension 0 of size 4}}
  %0 = cotan.broadcast_in_dim %x dims = [0] : tensor<?xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reshape_extra_size(%x: tensor<2x3xf32>, %n: index) -> tensor<6xf32> {
  // expected-error@+1 {{(reshape_c3) expects 0 dynamic sizes (one per `?` dimension of 'tensor<6xf32>'), got 1}}
  %0 = cotan.reshape %x[%n] : tensor<2x3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// A symbolic size never equals a static one.
func.func @dot_general_dynamic_vs_static(%x: tensor<2x?xf32>, %y: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(dot_general_c6) lhs dimension 1 (size ?) does not match rhs dimension 0 (size 4)}}
  %0 = cotan.dot_general %x, %y {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x?xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}


// -----

// A dynamic dimension's limit counts from its end; an absolute one would
// need the size.
func.func @slice_part_of_dynamic(%x: tensor<?x4xf32>) -> tensor<2x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(slice_c4) dimension 0 is dynamic: it needs start >= 0, stride 1 and a limit counted from the end (-1 - e)}}
  %0 = cotan.slice %x start = [0, 0] limit = [2, 4] strides = [1, 1] : tensor<?x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_dynamic_strided(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(slice_c4) dimension 0 is dynamic: it needs start >= 0, stride 1}}
  %0 = cotan.slice %x start = [0] limit = [-1] strides = [2] : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @pad_dynamic_interior(%x: tensor<?xf32>, %p: tensor<f32>) -> tensor<?xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(pad_c4) dimension 0 is dynamic: it has no interior padding}}
  %0 = cotan.pad %x, %p low = [1] high = [0] interior = [1] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @concatenate_dynamic_dim(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(concatenate_c5) dimension 0 is dynamic: inputs are joined along a static dimension}}
  %0 = cotan.concatenate %x, %x dim = 0 : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @take_dynamic_axis(%x: tensor<?x4xf32>, %i: tensor<3xi32>) -> tensor<3x4xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(take_c3) axis 0 is dynamic: indices are clamped to a static size}}
  %0 = cotan.take %x[%i] axis = 0 : (tensor<?x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @iota_missing_size() -> tensor<?x3xi32> {
  // expected-error@+1 {{(iota_c3) expects 1 dynamic sizes (one per `?` dimension of 'tensor<?x3xi32>'), got 0}}
  %0 = cotan.iota dim = 1 : tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}

// -----

// Only one of the batch, the input features and the output features may
// be dynamic, and never a spatial size.
func.func @convolution_dynamic_spatial(%x: tensor<1x2x?xf32>, %w: tensor<3x2x2xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c8) one of the batch, the input features (with one feature group) and the output features may be dynamic, got 'tensor<1x2x?xf32>' and 'tensor<3x2x2xf32>'}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<1x2x?xf32>, tensor<3x2x2xf32>) -> tensor<1x3x?xf32>
  return
}

// -----

func.func @convolution_dynamic_features_in_groups(%x: tensor<1x?x5xf32>, %w: tensor<4x?x2xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(convolution_c8) one of the batch, the input features (with one feature group) and the output features may be dynamic}}
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 2 : (tensor<1x?x5xf32>, tensor<4x?x2xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @reduce_window_dynamic_pooled(%x: tensor<?x4xf32>) {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_window_c4) dynamic dimension 0 needs window 1, stride 1 and no padding}}
  %0 = cotan.reduce_window sum %x window = [2, 1] strides = [1, 1] pad = ([0, 0], [0, 0]) : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}
