// RUN: cotan-opt %s --split-input-file --verify-diagnostics
// One case per control-flow verifier constraint.

func.func @switch_without_branches(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(switch_c1) needs at least one branch}}
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @switch_branch_arguments(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(switch_c2) branch 1 takes ('tensor<f64>') but must take ('tensor<f32>')}}
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }, {
  ^bb0(%a: tensor<f64>):
    cotan.yield %x : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @switch_branch_yield(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(switch_c2) branch 0 yields ('tensor<f32>', 'tensor<f32>') but must yield ('tensor<f32>')}}
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a, %a : tensor<f32>, tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @switch_index_type(%i: tensor<i64>, %x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{operand #0 must be 0D tensor of 32-bit signless integer values}}
  %0 = cotan.switch %i (%x) : tensor<i64>, (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @switch_captures(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  // expected-note@+1 {{required by region isolation constraints}}
  %0 = cotan.switch %i () : tensor<i32>, () -> tensor<f32> {
    // expected-error@+1 {{using value defined outside the region}}
    cotan.yield %x : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @while_results(%x: tensor<f32>) -> tensor<f64> {
  // expected-error@+1 {{(while_c1) result types ('tensor<f64>') must match the initial values ('tensor<f32>')}}
  %0 = cotan.while (%x) consts () : (tensor<f32>) -> tensor<f64>
  cond {
  ^bb0(%a: tensor<f32>):
    %p = cotan.constant dense<true> : tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f64>
}

// -----

func.func @while_body_arguments(%x: tensor<f32>, %c: tensor<2xf32>) -> tensor<f32> {
  // expected-error@+1 {{(while_c2) body takes ('tensor<f32>') but must take ('tensor<f32>', 'tensor<2xf32>')}}
  %0 = cotan.while (%x) consts (%c) : (tensor<f32>, tensor<2xf32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>, %b: tensor<2xf32>):
    %p = cotan.constant dense<true> : tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @while_predicate(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(while_c3) cond yields ('tensor<2xi1>') but must yield ('tensor<i1>')}}
  %0 = cotan.while (%x) consts () : (tensor<f32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>):
    %p = cotan.constant dense<true> : tensor<2xi1>
    cotan.yield %p : tensor<2xi1>
  } do {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @while_body_yield(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(while_c4) body yields ('tensor<f64>') but must yield ('tensor<f32>')}}
  %0 = cotan.while (%x) consts () : (tensor<f32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>):
    %p = cotan.constant dense<true> : tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>):
    %b = cotan.convert %a : tensor<f32> -> tensor<f64>
    cotan.yield %b : tensor<f64>
  }
  return %0 : tensor<f32>
}

// -----

func.func @scan_negative_length(%c: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{(scan_c1) length must be >= 0, got -1}}
  %0 = cotan.scan length = -1 (%c) xs () consts () : (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @scan_xs_length(%c: tensor<f32>, %xs: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+1 {{(scan_c2) scanned operand 0 has type 'tensor<3xf32>' but needs a leading dimension of size 4}}
  %0 = cotan.scan length = 4 (%c) xs (%xs) consts () : (tensor<f32>, tensor<3xf32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>, %x: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @scan_body_arguments(%c: tensor<f32>, %xs: tensor<4x2xf32>) -> tensor<f32> {
  // expected-error@+1 {{(scan_c3) body takes ('tensor<f32>', 'tensor<4x2xf32>') but must take ('tensor<f32>', 'tensor<2xf32>')}}
  %0 = cotan.scan length = 4 (%c) xs (%xs) consts () : (tensor<f32>, tensor<4x2xf32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>, %x: tensor<4x2xf32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

func.func @scan_carry_results(%c: tensor<f32>) -> tensor<i32> {
  // expected-error@+1 {{(scan_c4) the first results ('tensor<i32>') must match the initial carry ('tensor<f32>')}}
  %0 = cotan.scan length = 4 (%c) xs () consts () : (tensor<f32>) -> tensor<i32> {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %0 : tensor<i32>
}

// -----

func.func @scan_stacked_results(%c: tensor<f32>) -> (tensor<f32>, tensor<3xf32>) {
  // expected-error@+1 {{(scan_c5) stacked result 0 has type 'tensor<3xf32>' but needs a leading dimension of size 4}}
  %0:2 = cotan.scan length = 4 (%c) xs () consts () : (tensor<f32>) -> (tensor<f32>, tensor<3xf32>) {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a, %a : tensor<f32>, tensor<f32>
  }
  return %0#0, %0#1 : tensor<f32>, tensor<3xf32>
}

// -----

func.func @scan_body_yield(%c: tensor<f32>) -> (tensor<f32>, tensor<4x2xf32>) {
  // expected-error@+1 {{(scan_c6) body yields ('tensor<f32>', 'tensor<f32>') but must yield ('tensor<f32>', 'tensor<2xf32>')}}
  %0:2 = cotan.scan length = 4 (%c) xs () consts () : (tensor<f32>) -> (tensor<f32>, tensor<4x2xf32>) {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a, %a : tensor<f32>, tensor<f32>
  }
  return %0#0, %0#1 : tensor<f32>, tensor<4x2xf32>
}

// -----

func.func @yield_outside(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{expects parent op to be one of 'cotan.switch, cotan.while, cotan.scan'}}
  cotan.yield %x : tensor<f32>
}
