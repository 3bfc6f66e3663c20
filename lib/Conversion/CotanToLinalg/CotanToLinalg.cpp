//===- CotanToLinalg.cpp - the convert-cotan-to-linalg pass ---------------===//
//
// A thin pass: the patterns live in one file per op family.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_CONVERTCOTANTOLINALG
#include "cotan/Conversion/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

SmallVector<Value> mlir::cotan::resultDynamicSizes(OpBuilder &b,
                                                   Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (type.hasStaticShape())
    return {};
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reifyResultShapes(b, op, shapes)))
    llvm::report_fatal_error("a cotan op with a dynamic result cannot state "
                             "its sizes");
  SmallVector<Value> sizes;
  for (auto [size, reified] : llvm::zip(type.getShape(), shapes.front()))
    if (ShapedType::isDynamic(size))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, op->getLoc(), reified));
  return sizes;
}

/// Boolean tensors convert to and from their byte storage elementwise, so
/// values crossing into ops that are not converted stay correct.
static Value convertBoolStorage(OpBuilder &b, Type type, ValueRange inputs,
                                Location loc) {
  auto to = dyn_cast<RankedTensorType>(type);
  if (inputs.size() != 1 || !to)
    return {};
  auto from = dyn_cast<RankedTensorType>(inputs.front().getType());
  if (!from || from.getShape() != to.getShape())
    return {};
  int64_t rank = to.getRank();
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Type element = to.getElementType();
  return linalg::GenericOp::create(
             b, loc, TypeRange{to}, inputs,
             ValueRange{emptyTensor(b, loc, to,
                                    dynamicSizesOf(b, loc, to, inputs.front()))},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value v = element.isInteger(1)
                             ? toLogical(nb, nloc, args[0], element)
                             : toStorage(nb, nloc, args[0]);
               linalg::YieldOp::create(nb, nloc, v);
             })
      ->getResult(0);
}

BoolAsByteTypeConverter::BoolAsByteTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type { return storageType(type); });
  addSourceMaterialization(convertBoolStorage);
  addTargetMaterialization(convertBoolStorage);
}

namespace {
struct ConvertCotanToLinalg
    : mlir::cotan::impl::ConvertCotanToLinalgBase<ConvertCotanToLinalg> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    BoolAsByteTypeConverter converter;
    ConversionTarget target(*context);
    target.addIllegalDialect<CotanDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateCotanElementwiseToLinalgPatterns(converter, patterns);
    populateCotanShapeToLinalgPatterns(converter, patterns);
    populateCotanReductionToLinalgPatterns(converter, patterns);
    populateCotanDotGeneralToLinalgPatterns(converter, patterns);
    populateCotanConvolutionToLinalgPatterns(converter, patterns);
    populateCotanReduceWindowToSlicesPatterns(converter, patterns);
    populateCotanControlFlowToScfPatterns(converter, patterns);
    populateCotanHostCallPatterns(converter, patterns);
    populateCotanSortToLoopsPatterns(converter, patterns);
    populateCotanCollectivesToMPIPatterns(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
