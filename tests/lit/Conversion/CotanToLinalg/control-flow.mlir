// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// Control flow becomes scf; regions move in with their arguments replaced.

// A chain of scf.if: branch 0 for index <= 0, branch k for index == k, the
// last branch for anything larger (JAX's clamping).
// CHECK-LABEL: func.func @switch
// CHECK: %[[I:.*]] = tensor.extract %arg0[] : tensor<i32>
// CHECK: %[[C0:.*]] = arith.constant 0 : i32
// CHECK: %[[FIRST:.*]] = arith.cmpi sle, %[[I]], %[[C0]] : i32
// CHECK: %[[R:.*]] = scf.if %[[FIRST]] -> (tensor<3xf32>) {
// CHECK: arith.negf
// CHECK: } else {
// CHECK: %[[C1:.*]] = arith.constant 1 : i32
// CHECK: %[[SECOND:.*]] = arith.cmpi eq, %[[I]], %[[C1]] : i32
// CHECK: %[[INNER:.*]] = scf.if %[[SECOND]] -> (tensor<3xf32>) {
// CHECK: scf.yield %arg1 : tensor<3xf32>
// CHECK: } else {
// CHECK: arith.addf
// CHECK: }
// CHECK: scf.yield %[[INNER]] : tensor<3xf32>
// CHECK: return %[[R]]
func.func @switch(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>):
    %n = cotan.neg %a : tensor<3xf32>
    cotan.yield %n : tensor<3xf32>
  }, {
  ^bb0(%a: tensor<3xf32>):
    cotan.yield %a : tensor<3xf32>
  }, {
  ^bb0(%a: tensor<3xf32>):
    %d = cotan.add %a, %a : tensor<3xf32>
    cotan.yield %d : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// A single branch always runs.
// CHECK-LABEL: func.func @switch_one_branch
// CHECK: scf.execute_region -> tensor<3xf32> {
// CHECK: arith.negf
func.func @switch_one_branch(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>):
    %n = cotan.neg %a : tensor<3xf32>
    cotan.yield %n : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// Booleans are bytes: a boolean carry is an i8 tensor, and the predicate
// is read back as i1 for scf.condition. Loop invariants are used directly.
// CHECK-LABEL: func.func @while
// CHECK: scf.while (%[[X:.*]] = %arg0, %[[B:.*]] = %arg1) : (tensor<f32>, tensor<i8>) -> (tensor<f32>, tensor<i8>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %arg2 : tensor<f32>, tensor<f32>)
// CHECK: %[[P:.*]] = tensor.extract %{{.*}}[] : tensor<i8>
// CHECK: %[[BIT:.*]] = arith.trunci %[[P]] : i8 to i1
// CHECK: scf.condition(%[[BIT]]) %[[X]], %[[B]] : tensor<f32>, tensor<i8>
// CHECK: } do {
// CHECK: ^bb0(%{{.*}}: tensor<f32>, %{{.*}}: tensor<i8>):
// CHECK: scf.yield %{{.*}}, %{{.*}} : tensor<f32>, tensor<i8>
func.func @while(%x: tensor<f32>, %flag: tensor<i1>, %limit: tensor<f32>) -> (tensor<f32>, tensor<i1>) {
  %r:2 = cotan.while (%x, %flag) consts (%limit) : (tensor<f32>, tensor<i1>, tensor<f32>) -> (tensor<f32>, tensor<i1>)
  cond {
  ^bb0(%a: tensor<f32>, %f: tensor<i1>, %l: tensor<f32>):
    %p = cotan.compare lt, %a, %l : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>, %f: tensor<i1>, %l: tensor<f32>):
    %two = cotan.add %a, %a : tensor<f32>
    %nf = cotan.not %f : tensor<i1>
    cotan.yield %two, %nf : tensor<f32>, tensor<i1>
  }
  return %r#0, %r#1 : tensor<f32>, tensor<i1>
}

// -----

// One scf.for whatever the length: step i reads row length-1-i of xs (in
// reverse) and writes the same row of the stacked output.
// CHECK-LABEL: func.func @scan_reverse
// CHECK: %[[YS:.*]] = tensor.empty() : tensor<1000x2xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C1000:.*]] = arith.constant 1000 : index
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C1000]] step %[[C1]] iter_args(%[[C:.*]] = %arg0, %[[ACC:.*]] = %[[YS]]) -> (tensor<f32>, tensor<1000x2xf32>)
// CHECK: %[[POS:.*]] = arith.subi %{{.*}}, %[[I]] : index
// CHECK: %[[X:.*]] = tensor.extract_slice %arg1[%[[POS]], 0] [1, 2] [1, 1] : tensor<1000x2xf32> to tensor<2xf32>
// CHECK: %[[STEP:.*]]:2 = scf.execute_region -> (tensor<f32>, tensor<2xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %arg2 : tensor<2xf32>, tensor<2xf32>)
// CHECK: scf.yield
// CHECK: %[[NEW:.*]] = tensor.insert_slice %[[STEP]]#1 into %[[ACC]][%[[POS]], 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<1000x2xf32>
// CHECK: scf.yield %[[STEP]]#0, %[[NEW]] : tensor<f32>, tensor<1000x2xf32>
// CHECK-NOT: scf.for
func.func @scan_reverse(%c: tensor<f32>, %xs: tensor<1000x2xf32>, %w: tensor<2xf32>) -> (tensor<f32>, tensor<1000x2xf32>) {
  %r:2 = cotan.scan length = 1000 reverse (%c) xs (%xs) consts (%w) : (tensor<f32>, tensor<1000x2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<1000x2xf32>) {
  ^bb0(%carry: tensor<f32>, %x: tensor<2xf32>, %v: tensor<2xf32>):
    %y = cotan.mul %x, %v : tensor<2xf32>
    %s = cotan.reduce_sum %y dims = [0] : tensor<2xf32> -> tensor<f32>
    %next = cotan.add %carry, %s : tensor<f32>
    cotan.yield %next, %y : tensor<f32>, tensor<2xf32>
  }
  return %r#0, %r#1 : tensor<f32>, tensor<1000x2xf32>
}
