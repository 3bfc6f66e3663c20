//===- ExpandStridedCopies.cpp - the cotan-expand-strided-copies pass -----===//
//
// The runtime's generic memrefCopy walks strides element by element, with
// a function call and index arithmetic per element; a copy loop compiled
// for the shape (static sizes, or dynamic outer ones) is an order of
// magnitude faster, and a vector loop when the innermost dimension is
// contiguous.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_EXPANDSTRIDEDCOPIES
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// Whether MemRef-to-LLVM would call the generic runtime copy: unless
/// both sides are one contiguous block (an identity layout, at any shape,
/// or a static contiguous one), it does.
bool copiesThroughRuntime(memref::CopyOp copy) {
  auto source = cast<MemRefType>(copy.getSource().getType());
  auto target = cast<MemRefType>(copy.getTarget().getType());
  auto contiguous = [](MemRefType type) {
    return type.getLayout().isIdentity() ||
           memref::isStaticShapeAndContiguousRowMajor(type);
  };
  return source.getRank() != 0 && !(contiguous(source) && contiguous(target));
}

struct ExpandStridedCopies
    : mlir::cotan::impl::ExpandStridedCopiesBase<ExpandStridedCopies> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (copiesThroughRuntime(copy))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      unsigned rank = cast<MemRefType>(copy.getTarget().getType()).getRank();
      AffineMap identity = b.getMultiDimIdentityMap(rank);
      linalg::GenericOp::create(
          b, copy.getLoc(), ValueRange{copy.getSource()},
          ValueRange{copy.getTarget()}, ArrayRef<AffineMap>{identity, identity},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [](OpBuilder &nested, Location loc, ValueRange args) {
            linalg::YieldOp::create(nested, loc, args[0]);
          });
      copy.erase();
    }
  }
};

} // namespace
