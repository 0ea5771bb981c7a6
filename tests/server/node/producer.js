// Produces to the mock with the AWS SDK for JavaScript v3 in its default configuration
// (HTTP/2 for Kinesis), then prints what it saw as one JSON line.
"use strict";
const {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, PutRecordCommand,
} = require("@aws-sdk/client-kinesis");
const {
  SageMakerFeatureStoreRuntimeClient, PutRecordCommand: PutFeatureRecordCommand, GetRecordCommand,
} = require("@aws-sdk/client-sagemaker-featurestore-runtime");

const [endpoint, stream, group] = process.argv.slice(2);
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDNODE", secretAccessKey: "node-secret" } };

async function main() {
  const kinesis = new KinesisClient(config);
  const runtime = new SageMakerFeatureStoreRuntimeClient(config);
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    let status = "CREATING";
    for (let i = 0; i < 100 && status !== "ACTIVE"; i++) {
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      status = summary.StreamDescriptionSummary.StreamStatus;
      if (status !== "ACTIVE") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const records = Array.from({ length: 20 }, (_, i) => ({ Data: Buffer.from(`node-${i}`), PartitionKey: `pk-${i}` }));
    // concurrent calls: several streams open on the one HTTP/2 session
    const [batch, single] = await Promise.all([
      kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records })),
      kinesis.send(new PutRecordCommand({ StreamName: stream, Data: new TextEncoder().encode("single"), PartitionKey: "pk" })),
    ]);
    await runtime.send(new PutFeatureRecordCommand({
      FeatureGroupName: group,
      Record: [{ FeatureName: "id", ValueAsString: "n-1" }, { FeatureName: "t", ValueAsString: "2024-01-01T00:00:00Z" }],
    }));
    const got = await runtime.send(new GetRecordCommand({ FeatureGroupName: group, RecordIdentifierValueAsString: "n-1" }));
    console.log(JSON.stringify({
      kinesisHandler: kinesis.config.requestHandler.constructor.name,
      status,
      failed: batch.FailedRecordCount,
      shards: [...new Set(batch.Records.map((r) => r.ShardId))].sort(),
      single: single.ShardId,
      featureRecord: got.Record,
    }));
  } finally {
    kinesis.destroy();
    runtime.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
