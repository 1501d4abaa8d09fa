// Kafka protocol error codes the broker answers with.
#pragma once

#include <cstdint>

namespace sluice::broker::protocol {

enum class ErrorCode : int16_t {
  kNone = 0,
  kOffsetOutOfRange = 1,
  kCorruptMessage = 2,
  kUnknownTopicOrPartition = 3,
  kInvalidFetchSize = 4,
  kLeaderNotAvailable = 5,
  kNotLeaderForPartition = 6,
  kRequestTimedOut = 7,
  kMessageTooLarge = 10,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kInvalidTopicException = 17,
  kRecordListTooLarge = 18,
  kInvalidRequiredAcks = 21,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kInvalidSessionTimeout = 26,
  kRebalanceInProgress = 27,
  kInvalidCommitOffsetSize = 28,
  kTopicAuthorizationFailed = 29,
  kGroupAuthorizationFailed = 30,
  kClusterAuthorizationFailed = 31,
  kInvalidTimestamp = 32,
  kUnsupportedSaslMechanism = 33,
  kIllegalSaslState = 34,
  kUnsupportedVersion = 35,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidRequest = 42,
  kUnsupportedForMessageFormat = 43,
  kPolicyViolation = 44,
  kOutOfOrderSequenceNumber = 45,
  kDuplicateSequenceNumber = 46,
  kInvalidProducerEpoch = 47,
  kInvalidConfig = 40,
  kUnknownProducerId = 59,
  kNonEmptyGroup = 68,
  kGroupIdNotFound = 69,
  kMemberIdRequired = 79,
  kFencedInstanceId = 82,
  kGroupSubscribedToTopic = 86,
  kUnknownServerError = -1,
  kTransactionalIdAuthorizationFailed = 53,
  kSecurityDisabled = 54,
  kKafkaStorageError = 56,
  kSaslAuthenticationFailed = 58,
  kResourceNotFound = 91,
  kDuplicateResource = 92,
  kUnacceptableCredential = 93,
  kInvalidRecord = 87,
  kUnknownTopicId = 100,
  kMismatchedEndpointType = 114,
  kUnsupportedEndpointType = 115,
  kRebootstrapRequired = 129,
  // Transactions (KIP-98, KIP-447).
  kInvalidTxnState = 48,
  kInvalidProducerIdMapping = 49,
  kInvalidTransactionTimeout = 50,
  kConcurrentTransactions = 51,
  kOperationNotAttempted = 55,
  kUnstableOffsetCommit = 88,
  kProducerFenced = 90,
  kTransactionalIdNotFound = 105,
  // The consumer group protocol (KIP-848).
  kFencedMemberEpoch = 110,
  kUnreleasedInstanceId = 111,
  kUnsupportedAssignor = 112,
  kStaleMemberEpoch = 113,
  kInvalidRegularExpression = 128,
};

inline int16_t code(ErrorCode e) {
  return static_cast<int16_t>(e);
}

}  // namespace sluice::broker::protocol
