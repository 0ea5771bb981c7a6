// Reads a shard with SubscribeToShard through the AWS SDK for JavaScript v3 in its default
// configuration (HTTP/2, the event stream decoded by the SDK), puts records while the
// subscription is live, and prints what it received as one JSON line.
"use strict";
const {
  KinesisClient, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand,
  SubscribeToShardCommand, PutRecordCommand,
} = require("@aws-sdk/client-kinesis");

const [endpoint, stream] = process.argv.slice(2);
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDNODE", secretAccessKey: "node-secret" } };

async function main() {
  const kinesis = new KinesisClient(config);
  try {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    const streamArn = summary.StreamDescriptionSummary.StreamARN;
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "node" }));
    let status = Consumer.ConsumerStatus;
    for (let i = 0; i < 100 && status !== "ACTIVE"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const described = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }));
      status = described.ConsumerDescription.ConsumerStatus;
    }
    const subscription = new AbortController();  // how a reader ends a subscription early (RST_STREAM)
    const { EventStream } = await kinesis.send(new SubscribeToShardCommand({
      ConsumerARN: Consumer.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" },
    }), { abortSignal: subscription.signal });
    const records = [];
    const events = [];
    let putLive = null;
    for await (const event of EventStream) {
      if (!event.SubscribeToShardEvent) continue;
      const shardEvent = event.SubscribeToShardEvent;
      events.push({ count: shardEvent.Records.length, continuation: shardEvent.ContinuationSequenceNumber,
                    behind: shardEvent.MillisBehindLatest });
      for (const record of shardEvent.Records) {
        records.push({ data: Buffer.from(record.Data).toString(), key: record.PartitionKey,
                       sequence: record.SequenceNumber, arrival: record.ApproximateArrivalTimestamp.getTime() });
      }
      if (putLive === null) {  // on the same HTTP/2 session, while the subscription is open
        putLive = await kinesis.send(new PutRecordCommand({ StreamName: stream, Data: Buffer.from("live"), PartitionKey: "pk-live" }));
      }
      if (records.some((r) => r.data === "live")) break;
    }
    subscription.abort();
    console.log(JSON.stringify({
      handler: kinesis.config.requestHandler.constructor.name, records, events, live: putLive.SequenceNumber,
    }));
  } finally {
    kinesis.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
