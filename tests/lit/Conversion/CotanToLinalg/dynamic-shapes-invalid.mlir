// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --verify-diagnostics

// Stacked outputs with a dynamic dimension take their sizes from the first
// step, which a scan of length 0 never runs.
func.func @empty_scan_of_dynamic_outputs(%init: tensor<?xf32>, %xs: tensor<0x?xf32>) -> tensor<0x?xf32> {
  // expected-error@+2 {{failed to legalize operation 'cotan.scan'}}
  // expected-error@+1 {{'cotan.scan' op of length 0 cannot stack outputs with dynamic dimensions: their sizes come from the body}}
  %r:2 = cotan.scan length = 0 (%init) xs (%xs) consts () : (tensor<?xf32>, tensor<0x?xf32>) -> (tensor<?xf32>, tensor<0x?xf32>) {
  ^bb0(%c: tensor<?xf32>, %x: tensor<?xf32>):
    cotan.yield %c, %x : tensor<?xf32>, tensor<?xf32>
  }
  return %r#1 : tensor<0x?xf32>
}
