//===- MatmulEpilogue.h - elementwise epilogues of a blocked matmul -*- C++ -*-===//
//
// `relu(x @ w + b)` is a matmul followed by an elementwise generic reading
// its result. Applied to each row of the register tile just before the
// matmul writes it back (after the last contraction slice), the epilogue
// costs no extra pass over the result: XLA calls this output fusion.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_MATMULEPILOGUE_H
#define COTAN_LIB_TRANSFORMS_MATMULEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace mlir::cotan {

/// The buffer that `value` is a view of (itself if it is none).
Value underlyingBuffer(Value value);

/// Whether `op`, or an op nested in it, uses one of `buffers` or a view of
/// one (a write through a subview of a buffer touches the buffer).
bool touchesBuffers(Operation &op, ValueRange buffers);

/// An all-parallel linalg.generic on buffers that reads a matmul's result
/// `c` (identity map) and writes a buffer of c's shape (identity map), with
/// a body of elementwise scalar ops. Its other inputs vary along c's
/// innermost dimension contiguously or not at all (a bias, a per-row
/// scale), so a row of the tile reads them as one vector or one scalar.
class MatmulEpilogue {
public:
  /// The epilogue of `matmul`, which writes `c`: the first later op of the
  /// block that uses `c`, if it qualifies, nothing in between touches its
  /// operands, and it writes its result to `c` or `c` is a local buffer
  /// nobody else reads.
  static std::optional<MatmulEpilogue> match(linalg::GenericOp matmul,
                                             Value c);

  /// The epilogue applied to `row`, a vector of c's elements starting at
  /// `indices` along c's innermost dimension; `inBounds` tells whether the
  /// whole vector lies inside c. Returns the vector to store at `indices`
  /// of output().
  Value apply(OpBuilder &b, Location loc, Value row, ValueRange indices,
              bool inBounds);

  /// Moves the buffers the epilogue needs that are allocated after `matmul`
  /// before it, so the fused write-back can use them.
  void hoistAllocations(Operation *matmul);

  /// The buffer the epilogue writes (same shape as c).
  Value output() { return op.getDpsInits()[0]; }

  /// Removes the epilogue op once its work is done by the matmul.
  void erase() { op.erase(); }

private:
  MatmulEpilogue(linalg::GenericOp op, unsigned cInput,
                 SmallVector<Operation *> allocations)
      : op(op), cInput(cInput), allocations(std::move(allocations)) {}

  linalg::GenericOp op;
  unsigned cInput;                       // the input that reads c
  SmallVector<Operation *> allocations;  // to move before the matmul
};

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_MATMULEPILOGUE_H
