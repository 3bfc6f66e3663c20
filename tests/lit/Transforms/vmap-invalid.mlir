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
