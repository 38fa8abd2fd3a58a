package io.jobpulse.topology;

import io.jobpulse.processors.RejectionReason;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * What the topology does with a record it cannot write (Kafka refused it, or its key or value could
 * not be serialized): it skips that record, writes an {@code unwritable} rejection naming the input
 * record instead, and goes on, so that one record never stops its partition.
 *
 * <p>Known limit: under exactly-once, a record the producer or the broker refuses (too large for
 * {@code max.request.size} or the topic's {@code max.message.bytes}) has already made the
 * transaction abortable, so Streams aborts and processes the input again; only records that fail to
 * serialize are skipped for good there. That is why {@code JobLifecycleProcessor} measures its
 * records before writing them, against limits that {@link TopologyRuntime} takes from the topics.
 */
public final class UnwritableRecords implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UnwritableRecords.class);

    private int maxRecordBytes;

    @Override
    public void configure(Map<String, ?> configs) {
        maxRecordBytes = DeadLetters.maxRecordBytes(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        LOG.error("Kafka refused a record for {} (input {}-{}@{}); it is skipped and rejected: {}", record.topic(),
                context.topic(), context.partition(), context.offset(), exception.toString());
        return Response.resume(List.of(DeadLetters.rejection(context, record.key(), RejectionReason.UNWRITABLE.code(),
                "Kafka refused the record this event led to for " + record.topic() + " (" + exception.getClass().getSimpleName()
                        + ": " + exception.getMessage() + "); it was not written.", maxRecordBytes)));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        LOG.error("a record for {} could not be serialized (input {}-{}@{}); it is skipped and rejected", record.topic(),
                context.topic(), context.partition(), context.offset(), exception);
        return Response.resume(List.of(DeadLetters.rejection(context, DeadLetters.bytes(record.key()), RejectionReason.UNWRITABLE.code(),
                "The " + origin.toString().toLowerCase(java.util.Locale.ROOT) + " of the record this event led to for "
                        + record.topic() + " could not be serialized (" + exception.getMessage() + "); it was not written.",
                maxRecordBytes)));
    }
}
