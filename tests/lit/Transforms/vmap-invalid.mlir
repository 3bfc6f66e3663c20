// RUN: cotan-opt %s --split-input-file --cotan-vmap --verify-diagnostics

// expected-error@+1 {{'func.func' op can only be batched with a single block}}
func.func private @two_blocks(%x: tensor<3xf32>) -> tensor<3xf32> {
  cf.br ^next
^next:
  return %x : tensor<3xf32>
}
func.func @g(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{failed to batch 'two_blocks'}}
  %r = cotan.vmap @two_blocks(%x) batched = [true] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// sort has no rule for a symbolic batch, and the loop fallback needs the
// batch size.
func.func private @sorted(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{'cotan.sort' op cannot be batched over a symbolic batch size: it has no batching rule for one, and looping over the batch needs its size; keep the mapped dimension static (`_` in polymorphic_shapes)}}
  %0 = cotan.sort %x dim = 0 keys = 1 : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @sort_batch(%xs: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error@+1 {{failed to batch 'sorted'}}
  %r = cotan.vmap @sorted(%xs) batched = [true] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
