// RUN: cotan-opt %s --split-input-file --verify-diagnostics
// One verifier error per elementwise op (its operand type constraint) and
// the remaining reduction constraints.

func.func @exp_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.exp %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @log_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.log %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @log1p_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.log1p %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @expm1_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.expm1 %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @tanh_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.tanh %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @logistic_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.logistic %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @sqrt_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.sqrt %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @rsqrt_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.rsqrt %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @sin_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.sin %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @cos_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.cos %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @floor_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.floor %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @neg_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.neg %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @abs_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.abs %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @sign_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.sign %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @add_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.add %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @sub_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.sub %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @mul_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.mul %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @div_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.div %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @rem_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.rem %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @pow_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.pow %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @max_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.max %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @min_of_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi1>'}}
  %0 = cotan.min %x, %x : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @atan2_of_int(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2xi32>'}}
  %0 = cotan.atan2 %x, %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @and_of_float(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 1-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = cotan.and %x, %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @or_of_float(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 1-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = cotan.or %x, %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @stop_gradient_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{operand #0 must be ranked tensor}}
  %0 = "cotan.stop_gradient"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @reduce_prod_dims(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{(reduce_c1) dimension -1 is out of range for rank 1}}
  %0 = cotan.reduce_prod %x dims = [-1] : tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_min_result(%x: tensor<3x2xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{failed to infer returned types}}
  // expected-error@+1 {{inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  %0 = cotan.reduce_min %x dims = [0] : tensor<3x2xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @bitcast_width(%x: tensor<2xi32>) -> tensor<2xf64> {
  // expected-error @+1 {{(bitcast_convert_c1) cannot reinterpret 'i32' as 'f64': their bit widths differ}}
  %0 = cotan.bitcast_convert %x : tensor<2xi32> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}
