//===- MPIInterfaces.cpp - interfaces the mpi dialect lacks ---------------===//
//
// Upstream's mpi ops declare no memory effects, and buffer deallocation
// refuses ops whose effects are unknown. These external models state them:
// a send reads its buffer, a receive writes its buffer, an allreduce reads
// one and writes the other; init, barrier, wait and finalize write the
// default resource, so they are never removed or reordered. The dialect
// also gets an inliner interface, so functions that communicate (the
// per-process copies cotan-partition makes) inline like any other.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;

namespace {

using Effects = SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>;

void reads(Effects &effects, OpOperand &buffer) {
  effects.emplace_back(MemoryEffects::Read::get(), &buffer,
                       SideEffects::DefaultResource::get());
}

void writes(Effects &effects, OpOperand &buffer) {
  effects.emplace_back(MemoryEffects::Write::get(), &buffer,
                       SideEffects::DefaultResource::get());
}

/// Point-to-point: the buffer is operand 0; senders read it, receivers
/// write it.
template <typename Op, bool Receives>
struct TransferEffects
    : MemoryEffectOpInterface::ExternalModel<TransferEffects<Op, Receives>, Op> {
  void getEffects(Operation *op, Effects &effects) const {
    OpOperand &buffer = op->getOpOperand(0);
    Receives ? writes(effects, buffer) : reads(effects, buffer);
  }
};

struct AllReduceEffects
    : MemoryEffectOpInterface::ExternalModel<AllReduceEffects, mpi::AllReduceOp> {
  void getEffects(Operation *op, Effects &effects) const {
    auto allReduce = cast<mpi::AllReduceOp>(op);
    reads(effects, allReduce.getSendbufMutable());
    writes(effects, allReduce.getRecvbufMutable());
  }
};

/// Synchronization with other processes: an effect on no buffer.
template <typename Op>
struct SynchronizationEffects
    : MemoryEffectOpInterface::ExternalModel<SynchronizationEffects<Op>, Op> {
  void getEffects(Operation *, Effects &effects) const {
    effects.emplace_back(MemoryEffects::Write::get(),
                         SideEffects::DefaultResource::get());
  }
};

/// MPI calls can be inlined anywhere: they touch only their operands.
struct MPIInliner : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};

} // namespace

void mlir::cotan::registerMPIInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, mpi::MPIDialect *dialect) {
    dialect->addInterfaces<MPIInliner>();
    mpi::SendOp::attachInterface<TransferEffects<mpi::SendOp, false>>(*context);
    mpi::ISendOp::attachInterface<TransferEffects<mpi::ISendOp, false>>(*context);
    mpi::RecvOp::attachInterface<TransferEffects<mpi::RecvOp, true>>(*context);
    mpi::IRecvOp::attachInterface<TransferEffects<mpi::IRecvOp, true>>(*context);
    mpi::AllReduceOp::attachInterface<AllReduceEffects>(*context);
    mpi::InitOp::attachInterface<SynchronizationEffects<mpi::InitOp>>(*context);
    mpi::Barrier::attachInterface<SynchronizationEffects<mpi::Barrier>>(*context);
    mpi::Wait::attachInterface<SynchronizationEffects<mpi::Wait>>(*context);
    mpi::FinalizeOp::attachInterface<SynchronizationEffects<mpi::FinalizeOp>>(*context);
  });
}
