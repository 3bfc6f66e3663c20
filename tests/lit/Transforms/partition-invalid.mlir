// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --cotan-partition --verify-diagnostics

// expected-error @+1 {{`cotan.mesh` must be a non-empty array of positive sizes}}
func.func @bad_mesh(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cotan.mesh = array<i64: 0>} {
  %0 = cotan.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{cotan-partition: mesh axis 1 is out of range for a mesh of rank 1}}
func.func @axis_out_of_range(%x: tensor<4xf32> {cotan.split_axes = [array<i64: 1>]}) -> tensor<4xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{cotan-partition: `cotan.split_axes` has 2 entries for a value of rank 1}}
func.func @too_many_entries(%x: tensor<4xf32> {cotan.split_axes = [array<i64: 0>, array<i64>]}) -> tensor<4xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{cotan-partition: `cotan.split_axes` must be an array of i64 arrays}}
func.func @not_an_array(%x: tensor<4xf32> {cotan.split_axes = 3 : i64}) -> tensor<4xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Ops without sharding rules are reported, not crashed on.
// expected-error @+1 {{cotan-partition: MLIR's sharding-propagation found no sharding for every value of this function}}
func.func @reshape(%x: tensor<4x2xf32> {cotan.split_axes = [array<i64: 0>]}) -> tensor<8xf32> attributes {cotan.mesh = array<i64: 2>} {
  // expected-error @+1 {{'tensor.collapse_shape' op sharding interface is not implemented}}
  %0 = cotan.reshape %x : tensor<4x2xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
