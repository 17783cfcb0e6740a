// Constants and struct layouts of the wasi_snapshot_preview1 ABI.
//
// Spec: https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/witx/typenames.witx
// Names keep the witx spelling so that a grep from the spec finds the code.
// Thread-safety: constants only.
#pragma once

#include <cstdint>

namespace wg::wasi {

// An `errno` value as the guest sees it.
using Errno = std::uint16_t;

namespace errno_ {
inline constexpr Errno kSuccess = 0;
inline constexpr Errno k2big = 1;
inline constexpr Errno kAcces = 2;
inline constexpr Errno kAgain = 6;
inline constexpr Errno kBadf = 8;
inline constexpr Errno kBusy = 10;
inline constexpr Errno kDquot = 19;
inline constexpr Errno kExist = 20;
inline constexpr Errno kFault = 21;
inline constexpr Errno kFbig = 22;
inline constexpr Errno kIlseq = 25;
inline constexpr Errno kInval = 28;
inline constexpr Errno kIo = 29;
inline constexpr Errno kIsdir = 31;
inline constexpr Errno kLoop = 32;
inline constexpr Errno kMfile = 33;
inline constexpr Errno kNametoolong = 37;
inline constexpr Errno kNoent = 44;
inline constexpr Errno kNospc = 51;
inline constexpr Errno kNosys = 52;
inline constexpr Errno kNotdir = 54;
inline constexpr Errno kNotempty = 55;
inline constexpr Errno kNotsup = 58;
inline constexpr Errno kOverflow = 61;
inline constexpr Errno kPerm = 63;
inline constexpr Errno kSpipe = 70;
inline constexpr Errno kXdev = 75;
inline constexpr Errno kNotcapable = 76;
}  // namespace errno_

// `rights` bits.
namespace right {
inline constexpr std::uint64_t kFdDatasync = 1ull << 0;
inline constexpr std::uint64_t kFdRead = 1ull << 1;
inline constexpr std::uint64_t kFdSeek = 1ull << 2;
inline constexpr std::uint64_t kFdFdstatSetFlags = 1ull << 3;
inline constexpr std::uint64_t kFdSync = 1ull << 4;
inline constexpr std::uint64_t kFdTell = 1ull << 5;
inline constexpr std::uint64_t kFdWrite = 1ull << 6;
inline constexpr std::uint64_t kFdAdvise = 1ull << 7;
inline constexpr std::uint64_t kFdAllocate = 1ull << 8;
inline constexpr std::uint64_t kPathCreateDirectory = 1ull << 9;
inline constexpr std::uint64_t kPathCreateFile = 1ull << 10;
inline constexpr std::uint64_t kPathLinkSource = 1ull << 11;
inline constexpr std::uint64_t kPathLinkTarget = 1ull << 12;
inline constexpr std::uint64_t kPathOpen = 1ull << 13;
inline constexpr std::uint64_t kFdReaddir = 1ull << 14;
inline constexpr std::uint64_t kPathReadlink = 1ull << 15;
inline constexpr std::uint64_t kPathRenameSource = 1ull << 16;
inline constexpr std::uint64_t kPathRenameTarget = 1ull << 17;
inline constexpr std::uint64_t kPathFilestatGet = 1ull << 18;
inline constexpr std::uint64_t kPathFilestatSetSize = 1ull << 19;
inline constexpr std::uint64_t kPathFilestatSetTimes = 1ull << 20;
inline constexpr std::uint64_t kFdFilestatGet = 1ull << 21;
inline constexpr std::uint64_t kFdFilestatSetSize = 1ull << 22;
inline constexpr std::uint64_t kFdFilestatSetTimes = 1ull << 23;
inline constexpr std::uint64_t kPathSymlink = 1ull << 24;
inline constexpr std::uint64_t kPathRemoveDirectory = 1ull << 25;
inline constexpr std::uint64_t kPathUnlinkFile = 1ull << 26;
inline constexpr std::uint64_t kPollFdReadwrite = 1ull << 27;
inline constexpr std::uint64_t kSockShutdown = 1ull << 28;
inline constexpr std::uint64_t kSockAccept = 1ull << 29;
inline constexpr std::uint64_t kAll = (1ull << 30) - 1;

// What a regular file's descriptor can do at most.
inline constexpr std::uint64_t kFileBase = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync |
                                           kFdTell | kFdWrite | kFdAdvise | kFdAllocate | kFdFilestatGet |
                                           kFdFilestatSetSize | kFdFilestatSetTimes | kPollFdReadwrite;
// What a directory's descriptor can do at most.
inline constexpr std::uint64_t kDirBase =
    kFdFdstatSetFlags | kFdSync | kFdAdvise | kPathCreateDirectory | kPathCreateFile | kPathLinkSource |
    kPathLinkTarget | kPathOpen | kFdReaddir | kPathReadlink | kPathRenameSource | kPathRenameTarget |
    kPathFilestatGet | kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatGet | kFdFilestatSetTimes |
    kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
// Standard streams.
inline constexpr std::uint64_t kStdio = kFdRead | kFdWrite | kFdFdstatSetFlags | kFdFilestatGet | kPollFdReadwrite;
}  // namespace right

// `filetype`.
namespace filetype {
inline constexpr std::uint8_t kUnknown = 0;
inline constexpr std::uint8_t kCharacterDevice = 2;
inline constexpr std::uint8_t kDirectory = 3;
inline constexpr std::uint8_t kRegularFile = 4;
inline constexpr std::uint8_t kSymbolicLink = 7;
}  // namespace filetype

// `fdflags`.
inline constexpr std::uint16_t kFdflagAppend = 1;
inline constexpr std::uint16_t kFdflagDsync = 2;
inline constexpr std::uint16_t kFdflagNonblock = 4;
inline constexpr std::uint16_t kFdflagRsync = 8;
inline constexpr std::uint16_t kFdflagSync = 16;
inline constexpr std::uint16_t kFdflagAll = 31;

// `oflags`.
inline constexpr std::uint16_t kOflagCreat = 1;
inline constexpr std::uint16_t kOflagDirectory = 2;
inline constexpr std::uint16_t kOflagExcl = 4;
inline constexpr std::uint16_t kOflagTrunc = 8;

// `lookupflags`.
inline constexpr std::uint32_t kLookupSymlinkFollow = 1;

// `fstflags`.
inline constexpr std::uint16_t kFstAtim = 1;
inline constexpr std::uint16_t kFstAtimNow = 2;
inline constexpr std::uint16_t kFstMtim = 4;
inline constexpr std::uint16_t kFstMtimNow = 8;

// `whence`.
inline constexpr std::uint8_t kWhenceSet = 0;
inline constexpr std::uint8_t kWhenceCur = 1;
inline constexpr std::uint8_t kWhenceEnd = 2;

// `clockid`.
inline constexpr std::uint32_t kClockRealtime = 0;
inline constexpr std::uint32_t kClockMonotonic = 1;
inline constexpr std::uint32_t kClockProcessCputime = 2;
inline constexpr std::uint32_t kClockThreadCputime = 3;

// `eventtype`, `subclockflags`.
inline constexpr std::uint8_t kEventClock = 0;
inline constexpr std::uint8_t kEventFdRead = 1;
inline constexpr std::uint8_t kEventFdWrite = 2;
inline constexpr std::uint16_t kSubclockAbstime = 1;

// Struct sizes (witx layouts on wasm32).
inline constexpr std::uint32_t kIovecSize = 8;       // buf u32 @0, buf_len u32 @4
inline constexpr std::uint32_t kFdstatSize = 24;     // filetype u8 @0, flags u16 @2, base u64 @8, inh u64 @16
inline constexpr std::uint32_t kFilestatSize = 64;   // dev @0 ino @8 filetype u8 @16 nlink @24 size @32 atim @40 mtim @48 ctim @56
inline constexpr std::uint32_t kDirentSize = 24;     // d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20
inline constexpr std::uint32_t kPrestatSize = 8;     // tag u8 @0 (0 = dir), pr_name_len u32 @4
inline constexpr std::uint32_t kSubscriptionSize = 48;  // userdata @0, tag u8 @8, union @16
inline constexpr std::uint32_t kEventSize = 32;      // userdata @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24

}  // namespace wg::wasi
