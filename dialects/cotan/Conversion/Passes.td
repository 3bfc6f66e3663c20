//===- Passes.td - cotan conversion passes -----------------*- tablegen -*-===//
#ifndef COTAN_CONVERSION_PASSES_TD
#define COTAN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertCotanToLinalg : Pass<"convert-cotan-to-linalg"> {
  let summary = "Lower cotan ops to linalg, tensor, arith, math and scf on tensors";
  let description = [{
    Rewrites every cotan op into upstream ops that still have value
    semantics, ready for one-shot bufferization:

    - elementwise ops become one `linalg.generic` each whose body is the
      scalar arith/math op (f16 and bf16 compute in f32 and round back);
    - `broadcast_in_dim`, `reverse`, `iota`, `take`, `dot_general` and
      `argmax`/`argmin` become `linalg.generic` with the matching
      indexing maps; reductions become `linalg.reduce`;
    - `transpose` becomes `linalg.transpose`; `reshape` a collapse/expand
      pair; slicing, padding and concatenation become
      `tensor.extract_slice`/`tensor.insert_slice` on a filled tensor;
    - `convolution` becomes a matrix multiply of its patches (strided
      slices of the padded input, one per window offset) with its filters,
      so it runs on the matmul kernel;
    - `reduce_window` becomes the elementwise sum/max/min of its window
      slices (strided slices of the padded operand, one per window offset);
    - control flow becomes scf: `switch` a chain of `scf.if`, `while` an
      `scf.while`, `scan` an `scf.for` carrying its stacked outputs (one
      `tensor.insert_slice` per step), so a scan of any length is one loop;
    - collectives become one `mpi.allreduce` each on the world
      communicator, with tensor code around it (see CollectivesToMPI.cpp);
    - host calls become `func.call`s of external functions: debug
      callbacks and NaN checks with the C interface, `ffi_call` with a
      data pointer per operand and result.

    Example:
    ```mlir
    %0 = cotan.add %a, %b : tensor<4xf32>
    ```
    becomes
    ```mlir
    %e = tensor.empty() : tensor<4xf32>
    %0 = linalg.generic {...} ins(%a, %b : ...) outs(%e : ...) {
      ^bb0(%x: f32, %y: f32, %o: f32):
        %s = arith.addf %x, %y : f32
        linalg.yield %s : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::mpi::MPIDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // COTAN_CONVERSION_PASSES_TD
