//===- MatmulEpilogue.cpp - elementwise epilogues of a blocked matmul -----===//

#include "MatmulEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// How a row of the tile reads an epilogue input: as a vector (the input
/// varies contiguously along c's innermost dimension) or as one scalar
/// broadcast to the vector (it does not vary along it).
enum class RowAccess { Vector, Broadcast, Unsupported };

RowAccess rowAccess(AffineMap map, Value buffer, unsigned innermost) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || !map.isProjectedPermutation())
    return RowAccess::Unsupported;
  if (!map.isFunctionOfDim(innermost))
    return RowAccess::Broadcast;
  if (map.getDimPosition(map.getNumResults() - 1) == innermost &&
      type.isLastDimUnitStride())
    return RowAccess::Vector;
  return RowAccess::Unsupported;
}

/// Scalar ops that apply elementwise to vectors as they are.
bool isVectorizable(Operation &op) {
  if (isa<arith::ConstantOp>(op))
    return isa<IntegerType, FloatType>(op.getResult(0).getType());
  return op.hasTrait<OpTrait::Elementwise>() && op.getNumRegions() == 0 &&
         llvm::all_of(op.getOperandTypes(), [](Type t) {
           return isa<IntegerType, FloatType>(t);
         });
}

} // namespace

Value mlir::cotan::underlyingBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

bool mlir::cotan::touchesBuffers(Operation &op, ValueRange buffers) {
  SmallVector<Value> roots = llvm::map_to_vector(buffers, underlyingBuffer);
  return op.walk([&](Operation *nested) {
             for (Value operand : nested->getOperands())
               if (isa<BaseMemRefType>(operand.getType()) &&
                   llvm::is_contained(roots, underlyingBuffer(operand)))
                 return WalkResult::interrupt();
             return WalkResult::advance();
           })
      .wasInterrupted();
}

std::optional<MatmulEpilogue> MatmulEpilogue::match(linalg::GenericOp matmul,
                                                    Value c) {
  linalg::GenericOp epilogue;
  for (Operation *op = matmul->getNextNode(); op; op = op->getNextNode()) {
    if (!touchesBuffers(*op, c))
      continue;
    epilogue = dyn_cast<linalg::GenericOp>(op);
    break;
  }
  if (!epilogue || !epilogue.hasPureBufferSemantics() ||
      epilogue.getNumDpsInits() != 1 ||
      epilogue.getNumParallelLoops() != epilogue.getNumLoops())
    return std::nullopt;

  // After the fusion c holds partial sums unless the epilogue writes its
  // result there: then c must be nobody else's afterwards, a local buffer
  // initialized before the matmul and freed after.
  if (epilogue.getDpsInits()[0] != c) {
    if (!c.getDefiningOp<memref::AllocOp>())
      return std::nullopt;
    for (Operation *user : c.getUsers()) {
      if (user == matmul || user == epilogue || isa<memref::DeallocOp>(user))
        continue;
      if (user->getBlock() != matmul->getBlock() ||
          !user->isBeforeInBlock(matmul))
        return std::nullopt;
    }
  }

  auto type = cast<MemRefType>(c.getType());
  unsigned rank = type.getRank();
  if (epilogue.getNumLoops() != rank)
    return std::nullopt;
  Value output = epilogue.getDpsInits()[0];
  auto outputType = dyn_cast<MemRefType>(output.getType());
  if (!outputType || outputType.getShape() != type.getShape() ||
      !epilogue.getMatchingIndexingMap(&epilogue.getDpsInitsMutable()[0])
           .isIdentity() ||
      !outputType.isLastDimUnitStride())
    return std::nullopt;
  // The fused write-back stores tile by tile while later tiles still read
  // the matmul's operands: the output must not be one of them (bufferization
  // reuses a dead input's buffer for an elementwise result).
  for (Value operand : matmul.getDpsInputs())
    if (underlyingBuffer(operand) == underlyingBuffer(output))
      return std::nullopt;
  Block &body = epilogue.getRegion().front();
  if (!body.getArgument(epilogue.getNumDpsInputs()).use_empty())
    return std::nullopt;

  std::optional<unsigned> cInput;
  for (OpOperand *input : epilogue.getDpsInputOperands()) {
    AffineMap map = epilogue.getMatchingIndexingMap(input);
    if (input->get() == c) {
      if (cInput || !map.isIdentity())
        return std::nullopt;
      cInput = input->getOperandNumber();
      continue;
    }
    if (rowAccess(map, input->get(), rank - 1) == RowAccess::Unsupported)
      return std::nullopt;
  }
  if (!cInput || !llvm::all_of(body.without_terminator(), isVectorizable))
    return std::nullopt;

  // The epilogue now runs where the matmul writes back: what it reads must
  // exist there, and nothing between the two may touch its buffers.
  // A buffer allocated in between (the epilogue's output, typically) is
  // allocated before the matmul instead.
  DominanceInfo dominance(matmul->getParentOp());
  SmallVector<Value> used(epilogue->getOperands());
  epilogue.getRegion().walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (operand.getParentRegion() != &epilogue.getRegion())
        used.push_back(operand);
  });
  SmallVector<Operation *> allocations;
  for (Value v : used) {
    if (dominance.properlyDominates(v, matmul))
      continue;
    auto alloc = v.getDefiningOp<memref::AllocOp>();
    if (!alloc || alloc->getBlock() != matmul->getBlock() ||
        !llvm::all_of(alloc->getOperands(), [&](Value size) {
          return dominance.properlyDominates(size, matmul);
        }))
      return std::nullopt;
    allocations.push_back(alloc);
  }
  SmallVector<Value> buffers(epilogue->getOperands());
  for (Operation *op = matmul->getNextNode(); op != epilogue.getOperation();
       op = op->getNextNode())
    if (!llvm::is_contained(allocations, op) && touchesBuffers(*op, buffers))
      return std::nullopt;
  return MatmulEpilogue(epilogue, *cInput, std::move(allocations));
}

void MatmulEpilogue::hoistAllocations(Operation *matmul) {
  for (Operation *alloc : allocations)
    alloc->moveBefore(matmul);
}

Value MatmulEpilogue::apply(OpBuilder &b, Location loc, Value row,
                            ValueRange indices, bool inBounds) {
  int64_t lanes = cast<VectorType>(row.getType()).getDimSize(0);
  auto vectorOf = [&](Type element) { return VectorType::get({lanes}, element); };
  unsigned innermost = indices.size() - 1;
  Block &body = op.getRegion().front();
  IRMapping map;
  for (OpOperand *input : op.getDpsInputOperands()) {
    unsigned i = input->getOperandNumber();
    BlockArgument arg = body.getArgument(i);
    if (i == cInput) {
      map.map(arg, row);
      continue;
    }
    AffineMap inputMap = op.getMatchingIndexingMap(input);
    SmallVector<Value> at = llvm::map_to_vector(
        inputMap.getResults(), [&](AffineExpr e) {
          return indices[cast<AffineDimExpr>(e).getPosition()];
        });
    Value value;
    if (rowAccess(inputMap, input->get(), innermost) == RowAccess::Vector) {
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(arg.getType()));
      value = vector::TransferReadOp::create(b, loc, vectorOf(arg.getType()),
                                             input->get(), at, zero,
                                             ArrayRef<bool>{inBounds});
    } else {
      value = vector::BroadcastOp::create(
          b, loc, vectorOf(arg.getType()),
          memref::LoadOp::create(b, loc, input->get(), at));
    }
    map.map(arg, value);
  }
  for (Operation &scalar : body.without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(scalar)) {
      auto type = vectorOf(constant.getType());
      map.map(constant.getResult(),
              arith::ConstantOp::create(
                  b, loc, type, DenseElementsAttr::get(type, constant.getValue())));
      continue;
    }
    // Scalars from above the body (hoisted constants) become splats.
    for (Value operand : scalar.getOperands())
      if (!map.contains(operand))
        map.map(operand, vector::BroadcastOp::create(
                             b, loc, vectorOf(operand.getType()), operand));
    Operation *vectorized = b.clone(scalar, map);
    for (OpResult result : vectorized->getResults())
      result.setType(vectorOf(result.getType()));
  }
  return map.lookup(body.getTerminator()->getOperand(0));
}
