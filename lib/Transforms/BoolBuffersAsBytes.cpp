//===- BoolBuffersAsBytes.cpp - the cotan-bool-buffers-as-bytes pass ------===//
//
// Retypes i1 memrefs to i8 in place. They only come from the ownership
// helper of the deallocation lowering (cotan's own boolean tensors are
// bytes from the start), whose loads and stores are the only element
// accesses to adjust.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_BOOLBUFFERSASBYTES
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

Type asBytes(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.getElementType().isInteger(1))
    return type;
  return memref.clone(IntegerType::get(type.getContext(), 8));
}

struct BoolBuffersAsBytes
    : mlir::cotan::impl::BoolBuffersAsBytesBase<BoolBuffersAsBytes> {
  void runOnOperation() override {
    getOperation().walk([](Operation *op) {
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(asBytes(arg.getType()));
      for (OpResult result : op->getResults())
        result.setType(asBytes(result.getType()));
      if (auto function = dyn_cast<FunctionOpInterface>(op)) {
        auto retype = [](TypeRange types) {
          return llvm::map_to_vector(types, asBytes);
        };
        function.setType(FunctionType::get(
            op->getContext(), retype(function.getArgumentTypes()),
            retype(function.getResultTypes())));
      }
    });
    getOperation().walk([](Operation *op) {
      OpBuilder b(op);
      if (auto load = dyn_cast<memref::LoadOp>(op);
          load && load.getType().isInteger(1) &&
          load.getMemRefType().getElementType().isInteger(8)) {
        b.setInsertionPointAfter(load);
        load.getResult().setType(b.getI8Type());
        auto bit = arith::TruncIOp::create(b, load.getLoc(), b.getI1Type(),
                                           load.getResult());
        load.getResult().replaceAllUsesExcept(bit, bit);
      } else if (auto store = dyn_cast<memref::StoreOp>(op);
                 store && store.getValueToStore().getType().isInteger(1) &&
                 store.getMemRefType().getElementType().isInteger(8)) {
        store.getValueMutable().assign(arith::ExtUIOp::create(
            b, store.getLoc(), b.getI8Type(), store.getValueToStore()));
      }
    });
  }
};

} // namespace
